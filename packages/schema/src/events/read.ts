// V2–V4: reading one operator's log after a sequence, oldest first (keyset on operatorId, sequence).
// Used by the pull API (Operator.events) and meant for the push side (replay, then live) and
// webhooks alike, so that every reader sees the same events.
import type { Db, Tx } from "../db/database.ts";
import type { Prisma } from "../db/generated/sqlite/client.ts";
import type { Principal } from "../context.ts";
import type { StoredEvent } from "./types.ts";

export const DEFAULT_EVENT_PAGE = 50;
export const MAX_EVENT_PAGE = 1000;

/** Decimal digits of a sequence: no sign, no leading zero, at most 19 digits (BIGINT). */
const SEQUENCE = /^(0|[1-9][0-9]{0,18})$/;
const MAX_SEQUENCE = 2n ** 63n - 1n;

/** A sequence as clients write it, or null when it is not one. */
export function parseSequence(text: string): bigint | null {
  if (!SEQUENCE.test(text)) return null;
  const value = BigInt(text);
  return value <= MAX_SEQUENCE ? value : null;
}

/** V2: the reader asked for events after a sequence whose successors have been pruned. */
export class EventCursorExpired extends Error {
  constructor(readonly prunedThrough: bigint) {
    super(`Events up to sequence ${prunedThrough} are no longer kept; read again without \`after\` (from the oldest kept event).`);
  }
}

/** Who reads a log: the operator, and (U4) the principal whose permissions narrow it. */
export interface EventReader {
  operatorId: string;
  principal?: Principal;
}

export interface EventQuery {
  /** Exclusive; null: from the oldest kept event. */
  after: bigint | null;
  first: number;
  /** EventType names; null or empty: every type (a type never stored, e.g. WEBHOOK_TEST, matches nothing). */
  types?: readonly string[] | null;
}

/**
 * The one place the where-clause of an event listing is built (pull, replay, webhooks). U4: a
 * user's permissions (Event:read, and only events of SIMs it may read) are added here.
 */
export function eventListingWhere(reader: EventReader, query: Pick<EventQuery, "after" | "types">): Prisma.EventWhereInput {
  const where: Prisma.EventWhereInput = { operatorId: reader.operatorId };
  if (query.after !== null) where.sequence = { gt: query.after };
  if (query.types && query.types.length > 0) where.type = { in: [...new Set(query.types)] };
  return where;
}

export interface EventPage {
  events: StoredEvent[];
  hasNextPage: boolean;
}

/**
 * One page of the reader's log after `query.after`, oldest first. Throws EventCursorExpired when
 * events after `after` have been pruned (V2): checked after reading, so a prune that ran between
 * is caught too. Reading after exactly the last pruned sequence loses nothing and is allowed.
 */
export async function readEvents(db: Db | Tx, reader: EventReader, query: EventQuery): Promise<EventPage> {
  const first = Math.max(0, Math.min(query.first, MAX_EVENT_PAGE));
  const rows = await db.event.findMany({
    where: eventListingWhere(reader, query),
    orderBy: { sequence: "asc" },
    take: first + 1,
  });
  if (query.after !== null) {
    const operator = await db.operator.findUnique({ where: { id: reader.operatorId }, select: { prunedEventSequence: true } });
    const pruned = BigInt(operator?.prunedEventSequence ?? 0);
    if (query.after < pruned) throw new EventCursorExpired(pruned);
  }
  return { events: rows.slice(0, first), hasNextPage: rows.length > first };
}

/** The last sequence handed out in the operator's log (0 before its first event). */
export async function lastEventSequence(db: Db | Tx, operatorId: string): Promise<bigint> {
  const operator = await db.operator.findUnique({ where: { id: operatorId }, select: { lastEventSequence: true } });
  return BigInt(operator?.lastEventSequence ?? 0);
}
