// V2–V4: reading one operator's log after a sequence, oldest first (keyset on operatorId, sequence).
// Used by the pull API (Operator.events) and the push side (replay, then live) alike, so that
// every reader sees the same events.
import type { Db, Tx } from "../db/database.ts";
import type { Prisma } from "../db/generated/sqlite/client.ts";
import type { Principal } from "../context.ts";
import type { SqlReader } from "../db/sql-reader.ts";
import type { StoredEvent } from "./types.ts";
import { eventVisibility, needsSimCheck, visibleEventSql, visibleEventWhere } from "./visibility.ts";

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
  /**
   * The hand-written-SQL reader (db/sql-reader.ts): pages are read on it, with a narrow Sim:read
   * scope as a subquery Prisma cannot write (events/visibility.ts).
   */
  sql: SqlReader;
}

export interface EventQuery {
  /** Exclusive; null: from the oldest kept event. */
  after: bigint | null;
  first: number;
  /** EventType names; null or empty: every type (a type never stored, e.g. WEBHOOK_TEST, matches nothing). */
  types?: readonly string[] | null;
}

/**
 * The Prisma where-clause of a count of the log (U4: Event:read, area reads for events without a
 * SIM); the SIM scope, which a Prisma where cannot say, is SQL (events/visibility.ts).
 */
function eventCountWhere(reader: EventReader, types: readonly string[] | null | undefined): Prisma.EventWhereInput {
  const where: Prisma.EventWhereInput = { operatorId: reader.operatorId };
  if (types && types.length > 0) where.type = { in: [...new Set(types)] };
  const visible = visibleEventWhere(eventVisibility(reader.principal));
  return Object.keys(visible).length > 0 ? { AND: [where, visible] } : where;
}

/** A page's rows, and the operator's log counters as the same statement saw them. */
interface VisibleEvents {
  rows: StoredEvent[];
  /** The last sequence handed out (the counter is written in the transaction that appends). */
  last: bigint;
  /** Everything up to here was pruned (V2). */
  pruned: bigint;
}

/**
 * The same listing as SQL, with the reader's whole visibility (the SIM scope a subquery): the
 * page's rows and the operator's two counters in ONE statement on the driver. Every reader that
 * has the SQL reader goes this way (pull and push alike): streams read the log on every wake-up,
 * Prisma's runtime costs several times the statement, and on PostgreSQL every round trip costs
 * the serving thread a socket write and a wake-up of the database's process.
 * One statement is one snapshot on both engines, so the counters and the rows agree: a prune or
 * an append is either wholly before it or wholly after it.
 */
async function visibleEvents(sql: SqlReader, reader: EventReader, query: EventQuery, take: number): Promise<VisibleEvents> {
  const visibility = eventVisibility(reader.principal);
  const [visible, visibleParams] = visibleEventSql(visibility, reader.operatorId, "e");
  const parts = [`e."operatorId" = ?`];
  const params: unknown[] = [reader.operatorId];
  if (query.after !== null) {
    // As text, cast in SQL: both drivers bind it the same way.
    parts.push(`e."sequence" > CAST(? AS BIGINT)`);
    params.push(String(query.after));
  }
  const types = query.types && query.types.length > 0 ? [...new Set(query.types)] : null;
  if (types) {
    parts.push(`e."type" IN (${types.map(() => "?").join(", ")})`);
    params.push(...types);
  }
  parts.push(visible);
  params.push(...visibleParams, take, reader.operatorId);
  // The operator's row always answers, so an empty page still carries the counters (p."id" null).
  const rows = await sql.all<Omit<StoredEvent, "sequence" | "id"> & { id: string | null; sequence: number | string | bigint; last: number | string | bigint | null; pruned: number | string | bigint | null }>(
    `SELECT o."lastEventSequence" AS "last", o."prunedEventSequence" AS "pruned", p.* FROM "Operator" o LEFT JOIN (
       SELECT e."id", e."operatorId", e."sequence", e."type", e."at", e."actor", e."simId", e."imsi", e."simTransferId", e."supportTicketId", e."data"
       FROM "Event" e WHERE ${parts.join(" AND ")} ORDER BY e."sequence" ASC LIMIT ?
     ) p ON 1 = 1 WHERE o."id" = ? ORDER BY p."sequence" ASC`,
    params,
    { at: "date" },
  );
  const head = rows[0];
  return {
    rows: rows.filter((r) => r.id !== null).map(({ last: _l, pruned: _p, ...r }) => ({ ...r, id: r.id!, sequence: BigInt(r.sequence) })),
    last: BigInt(head?.last ?? 0),
    pruned: BigInt(head?.pruned ?? 0),
  };
}

export interface EventPage {
  events: StoredEvent[];
  hasNextPage: boolean;
  /**
   * Where the next read continues (exclusive): the last event returned, or, when the reader's
   * filter hid events after it and nothing more is readable, the log's last sequence seen before
   * this read, so a stream does not read hidden events again. Null: nothing read and `after` null.
   */
  scannedThrough: bigint | null;
}

/**
 * One page of the reader's log after `query.after`, oldest first. Throws EventCursorExpired when
 * events after `after` have been pruned (V2): the prune counter comes from the page's own
 * statement, so a prune that ran before it is seen and one after it took nothing the page holds.
 * Reading after exactly the last pruned sequence loses nothing and is allowed.
 */
export async function readEvents(reader: EventReader, query: EventQuery): Promise<EventPage> {
  const first = Math.max(0, Math.min(query.first, MAX_EVENT_PAGE));
  const visibility = eventVisibility(reader.principal);
  const { rows, last, pruned } = await visibleEvents(reader.sql, reader, query, first + 1);
  if (query.after !== null && query.after < pruned) throw new EventCursorExpired(pruned);
  // For a reader with a narrower SIM scope: every event up to `last` was in the page's snapshot,
  // so those it did not return are hidden from it and need not be read again.
  const seenThrough = needsSimCheck(visibility) ? last : null;
  const events = rows.slice(0, first);
  const hasNextPage = rows.length > first;
  const lastRead = events.length > 0 ? BigInt(events.at(-1)!.sequence) : query.after;
  const scannedThrough = !hasNextPage && seenThrough !== null && (lastRead === null || seenThrough > lastRead) ? seenThrough : lastRead;
  return { events, hasNextPage, scannedThrough };
}

/** How many events the reader may read (Operator.events totalCount): one statement. */
export async function countEvents(db: Db | Tx, reader: EventReader, types: readonly string[] | null | undefined): Promise<number> {
  const visibility = eventVisibility(reader.principal);
  if (!needsSimCheck(visibility)) return db.event.count({ where: eventCountWhere(reader, types) });
  const [visible, params] = visibleEventSql(visibility, reader.operatorId, "e");
  const list = types && types.length > 0 ? [...new Set(types)] : null;
  const [row] = await reader.sql.all<{ n: number }>(
    `SELECT COUNT(*) AS "n" FROM "Event" e WHERE e."operatorId" = ?${list ? ` AND e."type" IN (${list.map(() => "?").join(", ")})` : ""} AND ${visible}`,
    [reader.operatorId, ...(list ?? []), ...params],
    { n: "int" },
  );
  return row?.n ?? 0;
}

/** The last sequence handed out in the operator's log (0 before its first event), on the driver. */
export async function lastEventSequence(sql: SqlReader, operatorId: string): Promise<bigint> {
  const [row] = await sql.all<{ n: number | string | bigint | null }>(`SELECT "lastEventSequence" AS "n" FROM "Operator" WHERE "id" = ?`, [operatorId]);
  return BigInt(row?.n ?? 0);
}
