// V1–V3: the operator's event log, read oldest first after a sequence (pull). Thin: parsing and
// paging rules live in events/read.ts, which the push side and webhooks share.
import { GraphQLError } from "graphql";
import type { Context } from "../context.ts";
import { sqlReaderOf } from "../db/database.ts";
import { countEvents, DEFAULT_EVENT_PAGE, EventCursorExpired, MAX_EVENT_PAGE, readEvents } from "../events/read.ts";
import { EVENT_TYPES, type EventData, type EventType, type StoredEvent } from "../events/types.ts";
import { batchLoad } from "./batch-load.ts";
import { builder } from "./builder.ts";
import { decodeEventSequence, eventSequenceCursor } from "./cursors.ts";
import { OperatorRef } from "./operator.ts";
import { SimStatusChangeRef } from "./sim.ts";

export const EventTypeEnum = builder.enumType("EventType", {
  description: "What an event reports (V1).",
  values: {
    SIM_REGISTERED: { description: "A SIM was registered." },
    SIM_STATUS_CHANGED: { description: "Every status change, whatever its cause (operator, session, expiry, transfer, administrator)." },
    SIM_UPDATED: { description: "Name, tags, group, termination protection or expiry changed." },
    SIM_SESSION_CHANGED: { description: "A network session opened or closed." },
    SIM_EXPIRED: { description: "An expiry fell due and its action was applied (also DO_NOTHING and DELETE_SESSION)." },
    SIM_TRANSFER_CHANGED: { description: "A transfer was issued, accepted, rejected, canceled or expired." },
    SUPPORT_TICKET_CHANGED: { description: "Staff replied, or the ticket was closed." },
    WEBHOOK_TEST: { description: "Sent by sendTestWebhook only." },
  },
});

const dataOf = (e: { data: string }) => JSON.parse(e.data) as EventData;

export const EventRef = builder.prismaNode("Event", {
  id: { field: "id" },
  // node(id:) answers null, not an error, for a missing or foreign ID (O4).
  nullable: true,
  description: "One entry of an operator's event log (V1–V3).",
  fields: (t) => ({
    sequence: t.string({ description: "V2: 1, 2, 3 … per operator, in commit order, with no gaps; decimal digits.", resolve: (e) => String(e.sequence) }),
    type: t.field({ type: EventTypeEnum, description: "What happened.", resolve: (e) => e.type as EventType }),
    at: t.expose("at", { type: "DateTime", description: "When it happened." }),
    actor: t.exposeString("actor", { description: "Who caused it: the root user's address, user:<name>, authKey:<id>, or system." }),
    sim: t.prismaField({
      type: "Sim",
      nullable: true,
      description: "The SIM concerned, while the operator still owns it (V3).",
      // V3: only while the SIM's owner is the log's operator (a transferred SIM is null here).
      resolve: (query, e, _args, ctx) => (e.simId ? batchLoad<never>(ctx, "sim", query, e.simId, { operatorId: e.operatorId }) : null),
    }),
    imsi: t.exposeString("imsi", { nullable: true, description: "Kept even when `sim` is null." }),
    statusChange: t.prismaField({
      type: SimStatusChangeRef,
      nullable: true,
      description: "SIM_STATUS_CHANGED: the change.",
      resolve: (query, e, _args, ctx) => {
        const id = dataOf(e).statusChangeId;
        return id ? batchLoad<never>(ctx, "simStatusChange", query, id, { operatorId: e.operatorId }) : null;
      },
    }),
    changedFields: t.stringList({ description: "SIM_UPDATED: names of the fields that changed, e.g. [\"tags\", \"name\"].", resolve: (e) => dataOf(e).changedFields ?? [] }),
    sessionOnline: t.boolean({ nullable: true, description: "SIM_SESSION_CHANGED: whether a session is now online.", resolve: (e) => dataOf(e).sessionOnline ?? null }),
    simTransfer: t.prismaField({
      type: "SimTransfer",
      nullable: true,
      description: "SIM_TRANSFER_CHANGED: the transfer.",
      resolve: (query, e, _args, ctx) => (e.simTransferId ? batchLoad<never>(ctx, "simTransfer", query, e.simTransferId) : null),
    }),
    supportTicket: t.prismaField({
      type: "SupportTicket",
      nullable: true,
      description: "SUPPORT_TICKET_CHANGED: the ticket.",
      resolve: (query, e, _args, ctx) => (e.supportTicketId ? batchLoad<never>(ctx, "supportTicket", query, e.supportTicketId, { operatorId: e.operatorId }) : null),
    }),
  }),
});

const EventConnection = builder.connectionObject({ type: EventRef, name: "EventConnection" }, { name: "EventEdge" });

/** V2: the GraphQL error of a read after pruned events. */
export function eventCursorExpiredError(error: EventCursorExpired): GraphQLError {
  return new GraphQLError(error.message, { extensions: { code: "EVENT_CURSOR_EXPIRED", prunedThroughSequence: String(error.prunedThrough) } });
}

/** A page of `operatorId`'s log as the connection answers it; also for other readers of the same shape. */
export async function eventConnection(ctx: Context, operatorId: string, args: { after?: string | null; first?: number | null; types?: readonly string[] | null }) {
  const after = args.after == null ? null : decodeEventSequence(args.after); // checked before execution (input-limits)
  const first = args.first ?? DEFAULT_EVENT_PAGE;
  if (first < 0 || first > MAX_EVENT_PAGE) {
    throw new GraphQLError(`first must be 0 to ${MAX_EVENT_PAGE}.`, { extensions: { code: "BAD_USER_INPUT" } });
  }
  const reader = { operatorId, principal: ctx.viewer?.principal, sql: sqlReaderOf(ctx.unscopedDb) };
  let page;
  try {
    page = await readEvents(reader, { after, first, types: args.types });
  } catch (error) {
    if (error instanceof EventCursorExpired) throw eventCursorExpiredError(error);
    throw error;
  }
  const edges = page.events.map((node: StoredEvent) => ({ cursor: String(node.sequence), node }));
  return {
    edges,
    pageInfo: {
      hasNextPage: page.hasNextPage,
      hasPreviousPage: false,
      startCursor: edges[0]?.cursor ?? null,
      // An empty page still says where to continue from; past events hidden from the reader (U4) too.
      endCursor: page.scannedThrough === null ? null : String(page.scannedThrough),
    },
    totalCount: () => countEvents(ctx.db, reader, args.types),
  };
}

builder.prismaObjectField(OperatorRef, "events", (t) =>
  t.field({
    type: EventConnection,
    description: "V1–V3: the operator's event log, oldest first; `after` is an Event.sequence (exclusive).",
    extensions: eventSequenceCursor,
    args: {
      after: t.arg.string({ required: false, description: "An Event.sequence (exclusive); omitted: from the oldest kept event." }),
      first: t.arg.int({ required: false, description: `Default ${DEFAULT_EVENT_PAGE}, at most ${MAX_EVENT_PAGE}.` }),
      types: t.arg({ type: [EventTypeEnum], required: false, description: "Only these types; omitted or empty: every type.", extensions: { maxItems: EVENT_TYPES.length + 1 } }),
    },
    resolve: (operator, args, ctx) => eventConnection(ctx, operator.id, args),
  }),
);
