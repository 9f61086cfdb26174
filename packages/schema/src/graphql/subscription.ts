// V4: Subscription.events (push). Thin: the stream (replay, then live, by sequence) is
// events/live.ts; the place it takes among the operator's open subscriptions is
// events/subscription-leases.ts, handed in by the server as ctx.live.
import { GraphQLError } from "graphql";
import type { Context } from "../context.ts";
import { sqlReaderOf } from "../db/database.ts";
import { EventCursorExpired } from "../events/read.ts";
import { openEventStream } from "../events/live.ts";
import { SubscriptionLimitReached } from "../events/subscription-leases.ts";
import { EVENT_TYPES, type StoredEvent } from "../events/types.ts";
import { builder } from "./builder.ts";
import { decodeEventSequence, eventSequenceCursor } from "./cursors.ts";
import { EventRef, EventTypeEnum, eventCursorExpiredError } from "./event.ts";

const unauthenticated = () => new GraphQLError("Sign in first: send Authorization: Bearer <token>.", { extensions: { code: "UNAUTHENTICATED" } });

/** The stream's errors as GraphQL errors; return() reaches the stream at once (a client that leaves). */
function mappedErrors(stream: AsyncIterableIterator<StoredEvent>): AsyncIterableIterator<StoredEvent> {
  const map = (error: unknown) => (error instanceof EventCursorExpired ? eventCursorExpiredError(error) : error);
  return {
    [Symbol.asyncIterator]() {
      return this;
    },
    next: () => stream.next().catch((error: unknown) => Promise.reject(map(error))),
    return: () => stream.return!(),
    throw: (error: unknown) => stream.throw!(error),
  };
}

async function subscribeToEvents(ctx: Context, args: { after?: string | null; types?: readonly string[] | null }) {
  const viewer = ctx.viewer;
  if (!viewer) throw unauthenticated();
  if (!ctx.live) throw new GraphQLError("Subscriptions are not served here.", { extensions: { code: "BAD_REQUEST" } });
  const after = args.after == null ? null : decodeEventSequence(args.after); // checked before execution (input-limits)
  let release: () => Promise<void>;
  try {
    release = await ctx.live.openLease(viewer.id);
  } catch (error) {
    if (error instanceof SubscriptionLimitReached) {
      throw new GraphQLError(error.message, { extensions: { code: "TOO_MANY_SUBSCRIPTIONS", limit: error.limit } });
    }
    throw error;
  }
  const refreshViewer = ctx.refreshViewer;
  const sql = sqlReaderOf(ctx.unscopedDb);
  try {
    const stream = await openEventStream(
      ctx.live,
      { operatorId: viewer.id, principal: viewer.principal, sql },
      { after, types: args.types },
      {
        // O3, U8: a token that expired or was revoked ends the stream; a changed principal narrows it.
        refreshReader: refreshViewer
          ? async () => {
              const now = await refreshViewer();
              return now && now.id === viewer.id ? { operatorId: now.id, principal: now.principal, sql } : null;
            }
          : undefined,
        // The refresh reads the session and checks the address against it: both are the key.
        refreshKey: `${viewer.sessionId}\n${ctx.clientIp}`,
        onClose: () => release().catch(() => {}),
      },
    );
    return mappedErrors(stream);
  } catch (error) {
    await release().catch(() => {});
    if (error instanceof EventCursorExpired) throw eventCursorExpiredError(error);
    throw error;
  }
}

builder.subscriptionType({
  description: "Live data: over GraphQL over SSE (POST /graphql with Accept: text/event-stream) and over graphql-ws on the same path.",
  fields: (t) => ({
    events: t.field({
      type: EventRef,
      description:
        "V4: the viewer's events after `after` (an Event.sequence, exclusive; omitted: from now), then live; no gap and no duplicate, across instances. Served over GraphQL over SSE and over graphql-ws.",
      extensions: eventSequenceCursor,
      args: {
        after: t.arg.string({ required: false, description: "An Event.sequence (exclusive); omitted: only events committed from now on." }),
        types: t.arg({ type: [EventTypeEnum], required: false, description: "Only these types; omitted or empty: every type.", extensions: { maxItems: EVENT_TYPES.length + 1 } }),
      },
      subscribe: (_root, args, ctx) => subscribeToEvents(ctx, args),
      resolve: (event: StoredEvent) => event as never,
    }),
  }),
});
