// verifyWebhook: checks a delivery's Standard Webhooks signature and timestamp with the
// `standardwebhooks` package (the format the server signs with, V5–V6) and hands back the body as
// a typed event. It runs wherever the receiver runs (Node, edge runtimes, browsers' workers): no
// Node module is needed.
import { Webhook, WebhookVerificationError } from "standardwebhooks";
import { SimgateWebhookVerificationError } from "./errors.ts";
import type { SimgateWebhookEvent } from "./generated/events.ts";

/** Request headers as Node (`req.headers`), Fetch (`request.headers`) or a plain object carries them. */
export type WebhookHeaders = Headers | Record<string, string | string[] | undefined>;

const SIGNED_HEADERS = ["webhook-id", "webhook-timestamp", "webhook-signature"] as const;

function signedHeaders(headers: WebhookHeaders): Record<string, string> {
  const picked: Record<string, string> = {};
  const get =
    typeof (headers as Headers).get === "function"
      ? (name: string) => (headers as Headers).get(name) ?? undefined
      : (name: string) => {
          const key = Object.keys(headers).find((k) => k.toLowerCase() === name);
          const value = key === undefined ? undefined : (headers as Record<string, string | string[] | undefined>)[key];
          return Array.isArray(value) ? value.join(" ") : value;
        };
  for (const name of SIGNED_HEADERS) {
    const value = get(name);
    if (value !== undefined) picked[name] = value;
  }
  return picked;
}

/**
 * Verifies one webhook delivery and returns its body `{ type, timestamp, data }`, typed by `type`.
 * `rawBody` must be the bytes as received (before any JSON parsing: the signature covers them
 * exactly); `secret` is the endpoint's `whsec_…` signing secret. Throws
 * SimgateWebhookVerificationError (code WEBHOOK_VERIFICATION_FAILED) when a header is missing, no
 * signature matches, or the timestamp is more than five minutes off. Dedupe by the `webhook-id`
 * header (the same on every retry of one event): delivery is at least once.
 */
export function verifyWebhook(rawBody: string | Uint8Array, headers: WebhookHeaders, secret: string): SimgateWebhookEvent {
  let webhook: Webhook;
  try {
    webhook = new Webhook(secret);
  } catch (error) {
    throw new TypeError("verifyWebhook: secret must be the endpoint's signing secret (whsec_…)", { cause: error });
  }
  const body = typeof rawBody === "string" ? rawBody : new TextDecoder("utf-8", { fatal: true }).decode(rawBody);
  let verified: unknown;
  try {
    verified = webhook.verify(body, signedHeaders(headers));
  } catch (error) {
    if (error instanceof WebhookVerificationError) throw new SimgateWebhookVerificationError(`Webhook verification failed: ${error.message}.`, { cause: error });
    // A verified signature over a body that is not JSON: not a Simgate delivery.
    throw new SimgateWebhookVerificationError("Webhook verification failed: the body is not JSON.", { cause: error });
  }
  const event = verified as { type?: unknown; data?: unknown } | undefined;
  if (typeof event?.type !== "string" || typeof event.data !== "object" || event.data === null) {
    throw new SimgateWebhookVerificationError("Webhook verification failed: the body is not a Simgate event ({ type, timestamp, data }).");
  }
  return verified as SimgateWebhookEvent;
}
