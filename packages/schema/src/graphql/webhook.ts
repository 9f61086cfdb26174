// V5–V9: webhook endpoints and their delivery log. Thin: the rules live in webhooks/*.ts. The URL
// is resolved and checked (V7) before the mutation's transaction opens, so no DNS answer is waited
// for while rows are locked; the verdict is applied inside, where a refusal is audited.
import { GraphQLError } from "graphql";
import type { Context } from "../context.ts";
import { audited } from "../audit/audited.ts";
import { refuse } from "../db/refusal.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { encodeGlobalId, rowIdOf } from "../ids/global-id.ts";
import { parseSequence } from "../events/read.ts";
import type { StoredEvent } from "../events/types.ts";
import {
  createWebhookEndpoint,
  deleteWebhookEndpoint,
  endpointVisibility,
  MAX_WEBHOOK_DESCRIPTION,
  rotateWebhookSecret,
  updateWebhookEndpoint,
  visibleEndpoint,
  type EndpointActor,
} from "../webhooks/endpoints.ts";
import { countDeliveries, deliveryPage, MAX_REDELIVERY, notifyDeliveriesQueued, queueRedelivery, queueTestDelivery } from "../webhooks/deliveries.ts";
import { MAX_WEBHOOK_URL_LENGTH, resolveWebhookUrl } from "../webhooks/url-policy.ts";
import { formatPrismaCursor } from "@pothos/plugin-prisma";
import { resolveCursorConnection } from "@pothos/plugin-relay";
import { sqlReaderOf } from "../db/database.ts";
import { builder } from "./builder.ts";
import { decodeRowIdCursor } from "./cursors.ts";
import { EventRef, EventTypeEnum } from "./event.ts";
import { OperatorRef } from "./operator.ts";
import { UserErrorRef } from "./user-error.ts";

const WebhookDeliveryStatusEnum = builder.enumType("WebhookDeliveryStatus", {
  description: "Where a delivery stands (V5).",
  values: {
    PENDING: { description: "Not yet delivered; retries are still to come." },
    SUCCEEDED: { description: "The endpoint answered 2xx." },
    FAILED: { description: "Every attempt failed (V5)." },
  },
});

const WebhookDeliveryRef = builder.prismaNode("WebhookDelivery", {
  id: { field: "id" },
  nullable: true,
  description: "One event sent to one endpoint, with its attempts (V5).",
  fields: (t) => ({
    event: t.field({
      type: EventRef,
      description: "The event delivered (a sendTestWebhook ping's WEBHOOK_TEST event is not in the log; its sequence is 0).",
      resolve: async (d, _args, ctx) => {
        if (d.eventId) {
          const event = await ctx.db.event.findFirst({ where: { id: d.eventId } });
          if (event) return event;
        }
        const endpoint = await ctx.db.webhookEndpoint.findFirstOrThrow({ where: { id: d.endpointId }, select: { operatorId: true } });
        const ping: StoredEvent = {
          id: d.testEventId ?? d.id,
          operatorId: endpoint.operatorId,
          sequence: 0n,
          type: "WEBHOOK_TEST",
          at: d.createdAt,
          actor: d.testActor ?? "system",
          simId: null,
          imsi: null,
          simTransferId: null,
          supportTicketId: null,
          data: "{}",
        };
        return ping as never;
      },
    }),
    status: t.field({ type: WebhookDeliveryStatusEnum, description: "PENDING, SUCCEEDED or FAILED.", resolve: (d) => d.status }),
    attempts: t.exposeInt("attempts", { description: "Attempts made so far." }),
    lastAttemptAt: t.expose("lastAttemptAt", { type: "DateTime", nullable: true, description: "When the last attempt started." }),
    lastResponseStatus: t.exposeInt("lastResponseStatus", { nullable: true, description: "HTTP status the endpoint answered on the last attempt." }),
    lastError: t.exposeString("lastError", { nullable: true, description: "Timeout, refused connection, … on the last attempt." }),
    nextAttemptAt: t.expose("nextAttemptAt", { type: "DateTime", nullable: true, description: "When the next attempt is due (PENDING only)." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was queued." }),
  }),
});

const WebhookDeliveryConnection = builder.connectionObject({ type: WebhookDeliveryRef, name: "WebhookDeliveryConnection" }, { name: "WebhookDeliveryEdge" });

const WebhookEndpointRef = builder.prismaNode("WebhookEndpoint", {
  id: { field: "id" },
  nullable: true,
  description: "Where the operator's events are POSTed, signed per Standard Webhooks (V5). The signing secret is never shown again after creation or rotation.",
  fields: (t) => ({
    url: t.exposeString("url", { description: "https URL the events are POSTed to." }),
    description: t.exposeString("description", { nullable: true, description: "Free text." }),
    eventTypes: t.field({ type: [EventTypeEnum], description: "Empty: every type.", resolve: (e) => JSON.parse(e.eventTypes) as never }),
    enabled: t.exposeBoolean("enabled", { description: "Whether events are delivered to it." }),
    disabledReason: t.exposeString("disabledReason", { nullable: true, description: "Why the server disabled it, e.g. after three days of failures." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was created." }),
    deliveries: t.connection(
      {
        type: WebhookDeliveryRef,
        description: "The delivery log, newest first.",
        args: { status: t.arg({ type: WebhookDeliveryStatusEnum, required: false, description: "Only deliveries in this status." }) },
        resolve: async (endpoint, args, ctx) => {
          // U4: a user's log holds only deliveries of events it may read (webhooks/deliveries.ts).
          const request = { endpointId: endpoint.id, operatorId: endpoint.operatorId, status: args.status ?? null, principal: ctx.viewer?.principal, sql: sqlReaderOf(ctx.unscopedDb) };
          const connection = await resolveCursorConnection<Promise<{ id: string }[]>>(
            { args, toCursor: (d) => formatPrismaCursor(d, "id"), defaultSize: 20, maxSize: 100 },
            ({ after, before, limit, inverted }) =>
              deliveryPage(ctx.db, { ...request, after: after ? decodeRowIdCursor(after) : null, before: before ? decodeRowIdCursor(before) : null, limit, inverted }),
          );
          return { ...connection!, totalCount: () => countDeliveries(ctx.db, request) } as never;
        },
      },
      WebhookDeliveryConnection,
    ),
  }),
});

builder.prismaObjectField(OperatorRef, "webhookEndpoints", (t) =>
  t.prismaField({
    type: [WebhookEndpointRef],
    description: "V5: webhook endpoints the caller may read.",
    resolve: (query, operator, _args, ctx) =>
      ctx.db.webhookEndpoint.findMany({ ...query, where: { operatorId: operator.id, ...endpointVisibility(ctx.viewer?.principal) }, orderBy: [{ createdAt: "asc" }, { id: "asc" }] }),
  }),
);

type EndpointRow = { id: string };

const endpointField = (t: any) =>
  t.prismaField({
    type: WebhookEndpointRef,
    nullable: true,
    description: "The endpoint as it is now; null when refused.",
    resolve: (query: object, p: { endpoint?: EndpointRow | null }, _args: unknown, ctx: Context) => (p.endpoint ? ctx.db.webhookEndpoint.findFirst({ ...query, where: { id: p.endpoint.id } }) : null),
  });

const WebhookEndpointPayload = builder.objectRef<{ endpoint?: EndpointRow | null; userErrors: UserError[] }>("WebhookEndpointPayload").implement({
  description: "The endpoint after the change.",
  fields: (t) => ({
    endpoint: endpointField(t),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const WebhookEndpointSecretPayload = builder.objectRef<{ endpoint?: EndpointRow | null; signingSecret?: string; userErrors: UserError[] }>("WebhookEndpointSecretPayload").implement({
  description: "The endpoint and its new signing secret.",
  fields: (t) => ({
    endpoint: endpointField(t),
    signingSecret: t.string({ nullable: true, description: "Shown once: whsec_ followed by base64 (Standard Webhooks).", resolve: (p) => p.signingSecret ?? null }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const DeleteWebhookEndpointPayload = builder.objectRef<{ deletedEndpointId?: string; userErrors: UserError[] }>("DeleteWebhookEndpointPayload").implement({
  description: "The deleted endpoint's ID; its deliveries are gone with it.",
  fields: (t) => ({
    deletedEndpointId: t.id({ nullable: true, description: "Global ID of the deleted endpoint.", resolve: (p) => p.deletedEndpointId ?? null }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const WebhookDeliveryPayload = builder.objectRef<{ delivery?: { id: string } | null; userErrors: UserError[] }>("WebhookDeliveryPayload").implement({
  description: "The delivery queued.",
  fields: (t) => ({
    delivery: t.prismaField({
      type: WebhookDeliveryRef,
      nullable: true,
      description: "The delivery; null when refused.",
      resolve: (query, p, _args, ctx) => (p.delivery ? ctx.db.webhookDelivery.findFirst({ ...query, where: { id: p.delivery.id } }) : null),
    }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const RedeliverWebhookEventsPayload = builder.objectRef<{ queuedCount?: number; userErrors: UserError[] }>("RedeliverWebhookEventsPayload").implement({
  description: "How many events were queued again.",
  fields: (t) => ({
    queuedCount: t.int({ description: `Deliveries queued (at most ${MAX_REDELIVERY} a call; call again after the last one's sequence).`, resolve: (p) => p.queuedCount ?? 0 }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const urlBound = { maxLength: MAX_WEBHOOK_URL_LENGTH };
const descriptionBound = { maxLength: MAX_WEBHOOK_DESCRIPTION };
const typesBound = { maxItems: 20 };

const CreateWebhookEndpointInput = builder.inputType("CreateWebhookEndpointInput", {
  fields: (t) => ({
    url: t.string({ required: true, description: "https URL (V7).", extensions: urlBound }),
    description: t.string({ required: false, description: "Free text.", extensions: descriptionBound }),
    eventTypes: t.field({ type: [EventTypeEnum], required: false, defaultValue: [], description: "Empty: every type.", extensions: typesBound }),
  }),
});

const UpdateWebhookEndpointInput = builder.inputType("UpdateWebhookEndpointInput", {
  fields: (t) => ({
    endpointId: t.id({ required: true, description: "The endpoint." }),
    url: t.string({ required: false, description: "A new https URL (V7).", extensions: urlBound }),
    description: t.string({ required: false, description: "New free text.", extensions: descriptionBound }),
    eventTypes: t.field({ type: [EventTypeEnum], required: false, description: "New types; empty: every type.", extensions: typesBound }),
    enabled: t.boolean({ required: false, description: "Enables or disables it; enabling clears disabledReason." }),
  }),
});

const DeleteWebhookEndpointInput = builder.inputType("DeleteWebhookEndpointInput", {
  fields: (t) => ({ endpointId: t.id({ required: true, description: "The endpoint." }) }),
});

const WebhookEndpointInput = builder.inputType("WebhookEndpointInput", {
  fields: (t) => ({ endpointId: t.id({ required: true, description: "The endpoint." }) }),
});

const RedeliverWebhookEventsInput = builder.inputType("RedeliverWebhookEventsInput", {
  fields: (t) => ({
    endpointId: t.id({ required: true, description: "The endpoint." }),
    afterSequence: t.string({ required: true, description: "An Event.sequence (exclusive).", extensions: { maxLength: 19 } }),
  }),
});

function settingsOf(ctx: Context) {
  const settings = ctx.settings.webhooks;
  if (!settings) throw new GraphQLError("Webhooks are not configured on this server.", { extensions: { code: "INTERNAL_SERVER_ERROR" } });
  return settings;
}

function actorOf(ctx: Context): EndpointActor {
  return { operatorId: ctx.viewer!.id, principal: ctx.viewer!.principal, now: ctx.clock.now(), encryptionKey: settingsOf(ctx).encryptionKey };
}

function endpointIdOf(globalId: string, audit: { targetIds: string[] }): string | null {
  const id = rowIdOf("WebhookEndpoint", globalId);
  if (id) audit.targetIds.push(globalId);
  return id;
}

builder.mutationField("createWebhookEndpoint", (t) =>
  t.field({
    type: WebhookEndpointSecretPayload,
    description: "V5: a new endpoint (at most 10 per operator); its signing secret is in this answer only.",
    args: { input: t.arg({ type: CreateWebhookEndpointInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const verdict = await resolveWebhookUrl(input.url, settingsOf(ctx).allowPrivate);
      return audited(ctx, "createWebhookEndpoint", async ({ tx, audit }) => {
        const made = await createWebhookEndpoint(tx, actorOf(ctx), { verdict, description: input.description, eventTypes: input.eventTypes });
        audit.targetIds.push(encodeGlobalId("WebhookEndpoint", made.endpoint.id));
        return { endpoint: made.endpoint, signingSecret: made.signingSecret };
      });
    },
  }),
);

builder.mutationField("updateWebhookEndpoint", (t) =>
  t.field({
    type: WebhookEndpointPayload,
    description: "V5: changes an endpoint's URL, description, types or whether it is enabled.",
    args: { input: t.arg({ type: UpdateWebhookEndpointInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const verdict = input.url == null ? null : await resolveWebhookUrl(input.url, settingsOf(ctx).allowPrivate);
      return audited(ctx, "updateWebhookEndpoint", async ({ tx, audit }) => {
        const endpoint = await updateWebhookEndpoint(tx, actorOf(ctx), endpointIdOf(input.endpointId, audit), {
          verdict,
          description: input.description,
          eventTypes: input.eventTypes,
          enabled: input.enabled,
        });
        return { endpoint };
      });
    },
  }),
);

builder.mutationField("deleteWebhookEndpoint", (t) =>
  t.field({
    type: DeleteWebhookEndpointPayload,
    description: "V5: deletes an endpoint and its delivery log.",
    args: { input: t.arg({ type: DeleteWebhookEndpointInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "deleteWebhookEndpoint", async ({ tx, audit }) => {
        const id = await deleteWebhookEndpoint(tx, actorOf(ctx), endpointIdOf(input.endpointId, audit));
        return { deletedEndpointId: encodeGlobalId("WebhookEndpoint", id) };
      }),
  }),
);

builder.mutationField("rotateWebhookSecret", (t) =>
  t.field({
    type: WebhookEndpointSecretPayload,
    description: "V6: a new secret; deliveries carry signatures with both secrets for 24 hours.",
    args: { input: t.arg({ type: WebhookEndpointInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "rotateWebhookSecret", async ({ tx, audit }) => {
        const rotated = await rotateWebhookSecret(tx, actorOf(ctx), endpointIdOf(input.endpointId, audit));
        return { endpoint: rotated.endpoint, signingSecret: rotated.signingSecret };
      }),
  }),
);

builder.mutationField("sendTestWebhook", (t) =>
  t.field({
    type: WebhookDeliveryPayload,
    description: "V5: delivers a WEBHOOK_TEST event to the endpoint now.",
    args: { input: t.arg({ type: WebhookEndpointInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const out = await audited(ctx, "sendTestWebhook", async ({ tx, raw, audit }) => {
        const endpoint = await visibleEndpoint(tx, ctx.viewer!.principal, endpointIdOf(input.endpointId, audit));
        return { delivery: await queueTestDelivery(raw, endpoint.id, ctx.viewer!.actor, ctx.clock.now()) };
      });
      if (out.delivery) notifyDeliveriesQueued(ctx.unscopedDb);
      return out;
    },
  }),
);

builder.mutationField("redeliverWebhookEvents", (t) =>
  t.field({
    type: RedeliverWebhookEventsPayload,
    description: "V5: queues again every event after `afterSequence` that the endpoint subscribes to.",
    args: { input: t.arg({ type: RedeliverWebhookEventsInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const out = await audited(ctx, "redeliverWebhookEvents", async ({ tx, raw, audit }) => {
        const endpoint = await visibleEndpoint(tx, ctx.viewer!.principal, endpointIdOf(input.endpointId, audit));
        const after = parseSequence(input.afterSequence);
        if (after === null) refuse(userError("INVALID_INPUT", "afterSequence is an Event.sequence: decimal digits.", ["input", "afterSequence"]));
        return { queuedCount: await queueRedelivery(raw, endpoint, after, ctx.clock.now()) };
      });
      if ((out.queuedCount ?? 0) > 0) notifyDeliveriesQueued(ctx.unscopedDb);
      return out;
    },
  }),
);
