// V1, V2: appending to the operators' event logs, in the transaction of the change.
//
// Work that changes SIMs, transfers or tickets runs in eventTransaction(); anything it appends
// (appendEvents) is queued with the transaction and written when the work is done, just before
// commit: per operator (sorted by operator ID) one counter UPDATE ... RETURNING, which hands out
// the numbers and holds the operator's row until commit, then chunked multi-row INSERTs and the
// webhook deliveries. On PostgreSQL all three are ONE statement per operator (data-modifying
// CTEs), which also carries the mutation's audit entry (`lastInsert`): every round trip there
// costs the serving thread a socket write and a wake-up of the database's process, and this runs
// in every write. The statements go on the transaction's own connection (db/transaction-sql.ts).
//
// Why at the end: the counter row is then the last lock the transaction takes. A transaction
// waiting for it holds other locks (SIMs, a transfer), but the holder only ever waits for another
// counter, and counters are always taken in operator-ID order, so no cycle (deadlock) can form;
// and the row is held for the shortest time. Holding it until commit is what makes the numbers
// gap-free and in commit order with several server instances on PostgreSQL: the next transaction
// gets its numbers only after this one committed (or rolled back, returning them). SQLite has one
// writer at a time. A refused or failed call rolls back, and its events with it.
import { chunked } from "../db/chunks.ts";
import type { Db, Provider, Tx } from "../db/database.ts";
import { unscopedTx } from "../db/tenant.ts";
import { sqlTransaction, transactionSql } from "../db/transaction-sql.ts";
import { v7 as uuidv7 } from "uuid";
import { ENDPOINT_MATCHES_EVENT_SQL, queueDeliveriesOnSqlite } from "../webhooks/enqueue.ts";
import type { EventCommit, NewEvent } from "./types.ts";

/** Rows per INSERT on SQLite: 11 parameters a row, under its 999 (db/chunks.ts). */
const ROWS_PER_INSERT_ON_SQLITE = 80;

const EVENT_COLUMNS = `"id", "operatorId", "sequence", "type", "at", "actor", "simId", "imsi", "simTransferId", "supportTicketId", "data"`;

const queues = new WeakMap<object, NewEvent[]>();

/**
 * Queues events in the caller's transaction (either the raw client or its tenantTx view). They
 * are numbered and written when the eventTransaction's work is done, before commit. Throws when
 * the transaction was not opened by eventTransaction: the events would otherwise be lost.
 */
export function appendEvents(tx: Tx, events: readonly NewEvent[]): void {
  if (events.length === 0) return;
  const queue = queues.get(unscopedTx(tx));
  if (!queue) throw new Error("V1: events can be appended only inside eventTransaction()");
  queue.push(...events);
}

export interface EventTransactionOptions {
  /** Sizes the INSERTs (SQLite binds fewer parameters); SQLite's size when absent. */
  provider?: Provider;
  maxWait?: number;
  timeout?: number;
  /**
   * A row the work's outcome decides, written after the work and before the events (a mutation's
   * audit entry, O6); null for none. PostgreSQL writes it in the first operator's append statement,
   * one round trip fewer in every write.
   */
  lastInsert?: () => LastInsert | null;
  /**
   * The work sends hand-written statements only (db/transaction-sql.ts sqlTransaction): the
   * transaction opens without Prisma's client, whose interactive transactions cost more than such
   * a change's statements.
   */
  sqlOnly?: boolean;
}

/** One INSERT without RETURNING; parameter i (from 0) is written as `placeholder(i)`. */
export interface LastInsert {
  sql(provider: Provider, placeholder: (i: number) => string): string;
  params: readonly unknown[];
}

/**
 * Runs `work` in one transaction of `db` and writes the events it appended before committing.
 * After the commit, the listeners registered for `db` (onEventsCommitted) hear what was appended.
 */
export async function eventTransaction<T>(db: Db, work: (tx: Tx) => Promise<T>, options: EventTransactionOptions = {}): Promise<T> {
  let commits: EventCommit[] = [];
  const { provider = "sqlite", lastInsert: _, sqlOnly, ...transactionOptions } = options;
  const open = <R>(w: (tx: Tx) => Promise<R>, o: typeof transactionOptions): Promise<R> => (sqlOnly ? sqlTransaction(db, w, o) : db.$transaction(w, o));
  const value = await open(async (tx: Tx) => {
    const queue: NewEvent[] = [];
    queues.set(tx, queue);
    try {
      const out = await work(tx);
      const last = options.lastInsert?.() ?? null;
      if (provider === "postgresql") commits = await writeEventsOnPostgres(tx, queue, last);
      else {
        if (last) await transactionSql(tx)(last.sql("sqlite", () => "?"), last.params);
        if (queue.length > 0) commits = await writeEventsOnSqlite(tx, queue);
      }
      return out;
    } finally {
      queues.delete(tx);
    }
  }, transactionOptions);
  if (commits.length > 0) notifyCommitted(db, commits);
  return value;
}

/** Events grouped by operator, in operator-ID order (see the top). */
function byOperatorInOrder(events: readonly NewEvent[]): [string, NewEvent[]][] {
  const byOperator = new Map<string, NewEvent[]>();
  for (const event of events) {
    const list = byOperator.get(event.operatorId) ?? byOperator.set(event.operatorId, []).get(event.operatorId)!;
    list.push(event);
  }
  return [...byOperator].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** An event's own columns as stored (both engines). */
function storedFields(e: NewEvent) {
  return {
    type: e.type,
    at: e.at,
    actor: e.actor,
    simId: e.simId ?? null,
    imsi: e.imsi ?? null,
    simTransferId: e.simTransferId ?? null,
    supportTicketId: e.supportTicketId ?? null,
    data: JSON.stringify(e.data ?? {}),
  };
}

/**
 * PostgreSQL: per operator, the counter, the events and their webhook deliveries in one statement.
 * The counter's UPDATE takes the operator's row (held until commit, as above) and hands out the
 * numbers; the events come as one JSON parameter, numbered after the counter's new value; the
 * deliveries are made from what the event INSERT returned, with the same endpoint match as
 * webhooks/enqueue.ts. Foreign keys are checked at the statement's end, when the events exist.
 */
const appendOnPostgres = (last: string | null) => `WITH ${last ? `l AS (${last}), ` : ""}c AS (
    UPDATE "Operator" SET "lastEventSequence" = "lastEventSequence" + $2 WHERE "id" = $1 RETURNING "lastEventSequence"
  ), e AS (
    INSERT INTO "Event" (${EVENT_COLUMNS})
    SELECT x."id", $1, c."lastEventSequence" - $2 + x."n", x."type", x."at"::timestamp(3), x."actor", x."simId", x."imsi", x."simTransferId", x."supportTicketId", x."data"
    FROM c CROSS JOIN json_to_recordset($3::json) AS x("n" bigint, "id" text, "type" text, "at" text, "actor" text, "simId" text, "imsi" text, "simTransferId" text, "supportTicketId" text, "data" text)
    RETURNING "id", "type", "at"
  ), d AS (
    INSERT INTO "WebhookDelivery" ("id", "endpointId", "eventId", "status", "attempts", "nextAttemptAt", "createdAt")
    SELECT gen_random_uuid()::text, w."id", e."id", 'PENDING', 0, e."at", e."at"
    FROM e JOIN "WebhookEndpoint" w ON w."operatorId" = $1
    WHERE w."enabled" = true AND ${ENDPOINT_MATCHES_EVENT_SQL}
    RETURNING 1
  )
  SELECT (SELECT "lastEventSequence" FROM c) AS "last", (SELECT COUNT(*) FROM d) AS "deliveries"`;

async function writeEventsOnPostgres(tx: Tx, events: readonly NewEvent[], last: LastInsert | null): Promise<EventCommit[]> {
  const run = transactionSql(tx);
  const commits: EventCommit[] = [];
  if (events.length === 0 && last) await run(last.sql("postgresql", (i) => `$${i + 1}`), last.params);
  for (const [operatorId, list] of byOperatorInOrder(events)) {
    const rows = list.map((e, i) => ({ ...storedFields(e), n: i + 1, id: uuidv7(), at: e.at.toISOString() }));
    // The last insert rides in the first statement, after the append's own three parameters.
    const lastSql = last && commits.length === 0 ? last.sql("postgresql", (i) => `$${i + 4}`) : null;
    const params = [operatorId, list.length, JSON.stringify(rows), ...(lastSql ? last!.params : [])];
    const [row] = await run<{ last: bigint | number | string | null; deliveries: bigint | number | string }>(appendOnPostgres(lastSql), params);
    if (!row || row.last === null) throw new Error("V1: events appended for an operator that does not exist");
    const lastSequence = BigInt(row.last);
    commits.push({ operatorId, firstSequence: lastSequence - BigInt(list.length) + 1n, lastSequence, deliveries: Number(row.deliveries) });
  }
  return commits;
}

/**
 * SQLite: per operator, the counter's UPDATE ... RETURNING, multi-row INSERTs of the events, then
 * their webhook deliveries (webhooks/enqueue.ts). SQLite has one writer at a time.
 */
async function writeEventsOnSqlite(tx: Tx, events: readonly NewEvent[]): Promise<EventCommit[]> {
  const run = transactionSql(tx);
  const commits: EventCommit[] = [];
  for (const [operatorId, list] of byOperatorInOrder(events)) {
    const rows = await run<{ lastEventSequence: bigint | number | string }>(`UPDATE "Operator" SET "lastEventSequence" = "lastEventSequence" + ? WHERE "id" = ? RETURNING "lastEventSequence"`, [list.length, operatorId]);
    if (rows.length !== 1) throw new Error("V1: events appended for an operator that does not exist");
    const lastSequence = BigInt(rows[0]!.lastEventSequence);
    const firstSequence = lastSequence - BigInt(list.length) + 1n;
    for (const [index, part] of chunked(list, ROWS_PER_INSERT_ON_SQLITE).entries()) {
      const values: unknown[] = [];
      for (const [i, e] of part.entries()) {
        const f = storedFields(e);
        values.push(uuidv7(), operatorId, firstSequence + BigInt(index * ROWS_PER_INSERT_ON_SQLITE + i), f.type, f.at, f.actor, f.simId, f.imsi, f.simTransferId, f.supportTicketId, f.data);
      }
      await run(`INSERT INTO "Event" (${EVENT_COLUMNS}) VALUES ${part.map(() => "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)").join(", ")}`, values);
    }
    // V5, V8: webhook deliveries commit with their events (webhooks/enqueue.ts).
    const deliveries = await queueDeliveriesOnSqlite(run, operatorId, firstSequence, lastSequence);
    commits.push({ operatorId, firstSequence, lastSequence, deliveries });
  }
  return commits;
}

export type EventCommitListener = (commits: readonly EventCommit[]) => void | Promise<void>;

const listeners = new WeakMap<object, Set<EventCommitListener>>();

/**
 * The hook of the push side (V4): `listener` hears, after each commit through `db` that appended
 * events, which operators' logs grew and up to which sequence. It runs after the commit, so a
 * failing listener cannot undo the change (its errors are swallowed: the log is the truth, and
 * readers catch up from it). Answers a function that removes the listener.
 */
export function onEventsCommitted(db: Db, listener: EventCommitListener): () => void {
  const set = listeners.get(db) ?? listeners.set(db, new Set()).get(db)!;
  set.add(listener);
  return () => set.delete(listener);
}

function notifyCommitted(db: Db, commits: readonly EventCommit[]): void {
  for (const listener of listeners.get(db) ?? []) {
    try {
      void Promise.resolve(listener(commits)).catch(() => {});
    } catch {
      // see onEventsCommitted
    }
  }
}
