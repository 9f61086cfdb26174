// webhooks: endpoints the operator's events are POSTed to, signed per Standard Webhooks (V5–V9),
// and their delivery log. A signing secret is in the answer of create and rotateSecret only.
import {
  CreateWebhookEndpointDocument,
  DeleteWebhookEndpointDocument,
  RedeliverWebhookEventsDocument,
  RotateWebhookSecretDocument,
  SendTestWebhookDocument,
  UpdateWebhookEndpointDocument,
  WebhookDeliveriesDocument,
  WebhookEndpointsDocument,
  type CreateWebhookEndpointInput,
  type UpdateWebhookEndpointInput,
  type WebhookDeliveryStatus,
} from "../generated/graphql.ts";
import type { CallOptions } from "../call-options.ts";
import { SimgateNotFoundError } from "../errors.ts";
import { connectionMethod, pageOf } from "../pagination.ts";
import { resultOf, type MutationResult } from "../result.ts";
import type { Runner } from "../runner.ts";
import type { WebhookDelivery, WebhookEndpoint, WebhookEndpointWithSecret } from "../types.ts";

export interface WebhookDeliveriesArgs {
  endpointId: string;
  /** Only deliveries in this status. */
  status?: WebhookDeliveryStatus | null;
}

export function webhooksApi(run: Runner, pageSize: number) {
  const deliveries = connectionMethod<WebhookDeliveriesArgs, WebhookDelivery>(
    ({ endpointId, status, first, after }, options) =>
      run.query(WebhookDeliveriesDocument, { endpointId, status: status ?? null, first, after }, options, ({ node }) =>
      {
        if (node?.__typename !== "WebhookEndpoint") throw new SimgateNotFoundError(`No webhook endpoint ${endpointId} that the caller may read.`);
        return pageOf(node.deliveries);
      }),
    pageSize,
  );
  const withSecret = (payload: { endpoint: WebhookEndpoint | null; signingSecret: string | null }) =>
    payload.endpoint && payload.signingSecret ? { endpoint: payload.endpoint, signingSecret: payload.signingSecret } : null;

  return {
    /** The endpoints the caller may read (V9: a user sees its own; the root user sees all), oldest first. */
    list(options?: CallOptions): Promise<WebhookEndpoint[]> {
      return run.query(WebhookEndpointsDocument, {}, options, ({ viewer }) => viewer!.webhookEndpoints);
    },

    /**
     * A new endpoint (at most 10 per operator: WEBHOOK_LIMIT_EXCEEDED; https only:
     * WEBHOOK_URL_INVALID; no private targets: WEBHOOK_URL_FORBIDDEN). The answer holds the
     * signing secret (`whsec_…`), shown this once: store it for verifyWebhook.
     */
    create(input: CreateWebhookEndpointInput, options?: CallOptions): Promise<MutationResult<WebhookEndpointWithSecret>> {
      return run.mutate(CreateWebhookEndpointDocument, { input }, options, ({ createWebhookEndpoint }) => resultOf(createWebhookEndpoint, withSecret));
    },

    /** Changes the URL, description, event types (empty: every type) or `enabled` (enabling clears disabledReason). */
    update(input: UpdateWebhookEndpointInput, options?: CallOptions): Promise<MutationResult<WebhookEndpoint>> {
      return run.mutate(UpdateWebhookEndpointDocument, { input }, options, ({ updateWebhookEndpoint }) => resultOf(updateWebhookEndpoint, (p) => p.endpoint));
    },

    /** Deletes the endpoint and its delivery log. Answers the deleted ID. */
    delete(endpointId: string, options?: CallOptions): Promise<MutationResult<string>> {
      return run.mutate(DeleteWebhookEndpointDocument, { input: { endpointId } }, options, ({ deleteWebhookEndpoint }) =>
        resultOf(deleteWebhookEndpoint, (p) => p.deletedEndpointId),
      );
    },

    /** A new signing secret (shown once); for 24 hours deliveries carry signatures with the old and the new one (V6). */
    rotateSecret(endpointId: string, options?: CallOptions): Promise<MutationResult<WebhookEndpointWithSecret>> {
      return run.mutate(RotateWebhookSecretDocument, { input: { endpointId } }, options, ({ rotateWebhookSecret }) => resultOf(rotateWebhookSecret, withSecret));
    },

    /** Queues a WEBHOOK_TEST delivery to the endpoint now (not in the log; its data's sequence is null). */
    sendTest(endpointId: string, options?: CallOptions): Promise<MutationResult<WebhookDelivery>> {
      return run.mutate(SendTestWebhookDocument, { input: { endpointId } }, options, ({ sendTestWebhook }) => resultOf(sendTestWebhook, (p) => p.delivery));
    },

    /**
     * Queues again the endpoint's events after `afterSequence` (at most 1,000 a call: call again
     * after the last one's sequence). Answers how many deliveries were queued.
     */
    redeliver(args: { endpointId: string; afterSequence: string }, options?: CallOptions): Promise<MutationResult<number>> {
      return run.mutate(RedeliverWebhookEventsDocument, { input: args }, options, ({ redeliverWebhookEvents }) =>
        resultOf(redeliverWebhookEvents, (p) => p.queuedCount),
      );
    },

    /** The endpoint's delivery log, newest first, with attempts, last status and error, next attempt (+ `.iterate`, `.collect`). */
    deliveries,
  };
}

export type WebhooksApi = ReturnType<typeof webhooksApi>;
