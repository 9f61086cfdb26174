// V5, V8: queuing deliveries outside the log's own append (test pings, redelivery), claiming due
// ones with a lease per attempt, and recording what an attempt answered.
import { randomUUID } from "node:crypto";
import { v7 as uuidv7 } from "uuid";
import { sqlReaderOf, type Db, type Provider, type Tx } from "../db/database.ts";
import { chunked } from "../db/chunks.ts";
import { encodeGlobalId } from "../ids/global-id.ts";
import type { EventData, StoredEvent } from "../events/types.ts";
import { enqueueMail } from "../mail/outbox.ts";
import type { Principal } from "../context.ts";
import type { SqlReader } from "../db/sql-reader.ts";
import { simResources } from "../auth/access.ts";
import { decide, type Statement } from "../domain/permissions.ts";
import { eventVisibility, eventVisibleTo, needsSimCheck, visibleEventSql, visibleEventWhere, type EventVisibility } from "../events/visibility.ts";

/** V5: waits after failed attempt 1, 2, … 7; the eighth failure makes the delivery FAILED. */
export const DEFAULT_RETRY_SCHEDULE_MS = [5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000] as const;
/** V5: an endpoint failing this long is disabled. */
export const DISABLE_AFTER_MS = 3 * 24 * 3_600_000;
/** redeliverWebhookEvents queues at most this many events per call (call again after the last one). */
export const MAX_REDELIVERY = 1000;

const listeners = new WeakMap<object, Set<() => void>>();

/** Deliveries were queued outside an event commit (test ping, redelivery): wake the workers of `db`. */
export function onDeliveriesQueued(db: Db, listener: () => void): () => void {
  const set = listeners.get(db) ?? listeners.set(db, new Set()).get(db)!;
  set.add(listener);
  return () => set.delete(listener);
}

export function notifyDeliveriesQueued(db: Db): void {
  for (const listener of listeners.get(db) ?? []) listener();
}

/** V5: a WEBHOOK_TEST delivery, due now. It is not in the log: its webhook-id is its own. tx: unscoped, the endpoint checked visible. */
export async function queueTestDelivery(tx: Tx, endpointId: string, actor: string, now: Date) {
  return tx.webhookDelivery.create({
    data: { id: uuidv7(), endpointId, testEventId: uuidv7(), testActor: actor, status: "PENDING", nextAttemptAt: now, createdAt: now },
  });
}

/**
 * V5: queues again the endpoint's events after `after` (its types only), at most MAX_REDELIVERY,
 * oldest first: one read and a few multi-row inserts. tx: unscoped, the endpoint checked visible.
 */
export async function queueRedelivery(tx: Tx, endpoint: { id: string; operatorId: string; eventTypes: string }, after: bigint, now: Date): Promise<number> {
  const types = JSON.parse(endpoint.eventTypes) as string[];
  const events = await tx.event.findMany({
    where: { operatorId: endpoint.operatorId, sequence: { gt: after }, ...(types.length > 0 ? { type: { in: types } } : {}) },
    orderBy: { sequence: "asc" },
    take: MAX_REDELIVERY,
    select: { id: true },
  });
  const rows = events.map((e) => ({ id: uuidv7(), endpointId: endpoint.id, eventId: e.id, status: "PENDING" as const, nextAttemptAt: now, createdAt: now }));
  for (const part of chunked(rows, 150)) await tx.webhookDelivery.createMany({ data: part });
  return rows.length;
}

export interface ClaimOptions {
  provider: Provider;
  now: Date;
  leaseMs: number;
  /** How many attempts this instance may start now. */
  limit: number;
  /** At most this many attempts in flight per endpoint and instance. */
  perEndpoint: number;
  /** Endpoints and the attempts this instance has in flight to them. */
  inFlight: ReadonlyMap<string, number>;
}

/**
 * V8: takes due deliveries for one attempt each: a lease (leaseUntil, leaseOwner) that only this
 * claim holds; a killed instance's lease runs out and the delivery is due again. Endpoints whose
 * in-flight budget is used up here are skipped, and the rest are taken round-robin across
 * endpoints (ranked within each endpoint, lowest ranks first), so a slow endpoint's backlog does
 * not hold back the others. On PostgreSQL ONE statement takes the whole batch (select, rank,
 * lease) and returns it with what its attempts need of their endpoints and events, whatever its
 * size; SQLite runs claimOnSqlite. Both run on the driver (db/sql-reader.ts) rather than through
 * Prisma's runtime.
 */
export async function claimDueDeliveries(db: Db, options: ClaimOptions): Promise<ClaimedDelivery[]> {
  if (options.limit <= 0) return [];
  if (options.provider === "sqlite") {
    const steps = sqlReaderOf(db).autocommitSteps;
    if (!steps) throw new Error("SQLite: the SQL reader runs no autocommit steps");
    return claimOnSqlite(steps, options);
  }
  const used = [...options.inFlight].filter(([, n]) => n > 0);
  const full = used.filter(([, n]) => n >= options.perEndpoint).map(([id]) => id);
  const owner = randomUUID();
  const until = new Date(options.now.getTime() + options.leaseMs);
  const values: unknown[] = [];
  // Dates are bound in PostgreSQL's stored form, timestamp(3) in UTC.
  const p = (value: unknown, cast = "") => {
    values.push(value);
    return `$${values.length}${cast}`;
  };
  const at = (d: Date) => p(d.toISOString(), "::timestamp(3)");
  const now = at(options.now);
  // Rows another instance is claiming right now are skipped, not waited for (the lock is taken on
  // the candidates, before ranking: FOR UPDATE does not combine with window functions).
  const sql = `WITH c AS (
       SELECT d."id", d."endpointId", d."nextAttemptAt" FROM "WebhookDelivery" d JOIN "WebhookEndpoint" w ON w."id" = d."endpointId"
       WHERE d."status" = 'PENDING' AND d."nextAttemptAt" <= ${now} AND (d."leaseUntil" IS NULL OR d."leaseUntil" < ${now}) AND w."enabled" = true${
         full.length === 0 ? "" : ` AND d."endpointId" NOT IN (${full.map((id) => p(id)).join(", ")})`
       }
       ORDER BY d."nextAttemptAt", d."id" LIMIT ${p(Math.max(options.limit * 4, 50))} FOR UPDATE OF d SKIP LOCKED
     ), r AS (
       SELECT c."id", c."nextAttemptAt", ROW_NUMBER() OVER (PARTITION BY c."endpointId" ORDER BY c."nextAttemptAt", c."id") + ${
         // Each endpoint's attempts already in flight here count against its budget.
         used.length === 0 ? "0" : `CASE c."endpointId" ${used.map(([id, n]) => `WHEN ${p(id)} THEN ${Math.floor(n)}`).join(" ")} ELSE 0 END`
       } AS "rank" FROM c
     )
     UPDATE "WebhookDelivery" SET "leaseOwner" = ${p(owner)}, "leaseUntil" = ${at(until)}, "attempts" = "attempts" + 1, "lastAttemptAt" = ${now}
     WHERE "id" IN (SELECT r."id" FROM r WHERE r."rank" <= ${p(Math.floor(options.perEndpoint))} ORDER BY r."rank", r."nextAttemptAt", r."id" LIMIT ${p(options.limit)})
     RETURNING ${CLAIM_RETURNING}`;
  const rows = await autocommit<ClaimedRow>(db, sql, values);
  // Oldest first, as claimed.
  return rows.map(claimedDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || (a.id < b.id ? -1 : 1)).map(({ nextAttemptAt: _, ...d }) => d);
}

/**
 * The same claim on SQLite, where the file has one writer and this process is its only user: the
 * candidates are read, ranked here exactly as the statement above ranks them, leased by a
 * conditional UPDATE (a row leased or settled meanwhile is not taken), and read back with their
 * endpoints and events, back to back on the writer with nothing of this process in between.
 * Every text is fixed (lists travel as one JSON parameter), so each is prepared once; the
 * single-statement form re-ran 17 correlated look-ups inside RETURNING and cost several times
 * this under load (bench/RESULTS.md).
 */
async function claimOnSqlite(steps: NonNullable<SqlReader["autocommitSteps"]>, options: ClaimOptions): Promise<ClaimedDelivery[]> {
  const used = new Map([...options.inFlight].filter(([, n]) => n > 0));
  const full = [...used].filter(([, n]) => n >= options.perEndpoint).map(([id]) => id);
  const owner = randomUUID();
  const now = options.now;
  const until = new Date(now.getTime() + options.leaseMs);
  const rows = await steps((run) => {
    const candidates = run<{ id: string; endpointId: string; nextAttemptAt: string }>(SQLITE_CANDIDATES, [now, now, JSON.stringify(full), Math.max(options.limit * 4, 50)]);
    if (candidates.length === 0) return [];
    // Rank within each endpoint after what it has in flight here; lowest ranks first, round-robin.
    const rank = new Map(used);
    const chosen = candidates
      .map((c) => {
        const r = (rank.get(c.endpointId) ?? 0) + 1;
        rank.set(c.endpointId, r);
        return { ...c, rank: r };
      })
      .filter((c) => c.rank <= options.perEndpoint)
      .sort((a, b) => a.rank - b.rank || (a.nextAttemptAt < b.nextAttemptAt ? -1 : a.nextAttemptAt > b.nextAttemptAt ? 1 : a.id < b.id ? -1 : 1))
      .slice(0, options.limit);
    if (chosen.length === 0) return [];
    const ids = JSON.stringify(chosen.map((c) => c.id));
    run(SQLITE_LEASE, [owner, until, now, ids, now, now]);
    return run<ClaimedRow>(SQLITE_CLAIMED, [ids, owner]);
  });
  return rows.map(claimedDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || (a.id < b.id ? -1 : 1)).map(({ nextAttemptAt: _, ...d }) => d);
}

/** What a claim returns (ClaimedRow): the delivery's columns, its endpoint's as w_*, its event's as e_*. */
const CLAIMED_DELIVERY_COLUMNS = ["id", "endpointId", "eventId", "testEventId", "testActor", "attempts", "leaseOwner", "createdAt", "nextAttemptAt"];
const CLAIMED_ENDPOINT_COLUMNS = ["operatorId", "createdBy", "url", "secret", "previousSecret", "previousSecretUntil", "failingSince"];
const CLAIMED_EVENT_COLUMNS = ["operatorId", "sequence", "type", "at", "actor", "simId", "imsi", "simTransferId", "supportTicketId", "data"];

const SQLITE_CANDIDATES = `SELECT d."id", d."endpointId", d."nextAttemptAt" FROM "WebhookDelivery" d JOIN "WebhookEndpoint" w ON w."id" = d."endpointId"
  WHERE d."status" = 'PENDING' AND d."nextAttemptAt" <= ? AND (d."leaseUntil" IS NULL OR d."leaseUntil" < ?) AND w."enabled" = true
    AND d."endpointId" NOT IN (SELECT "value" FROM json_each(?))
  ORDER BY d."nextAttemptAt", d."id" LIMIT ?`;
const SQLITE_LEASE = `UPDATE "WebhookDelivery" SET "leaseOwner" = ?, "leaseUntil" = ?, "attempts" = "attempts" + 1, "lastAttemptAt" = ?
  WHERE "id" IN (SELECT "value" FROM json_each(?)) AND "status" = 'PENDING' AND "nextAttemptAt" <= ? AND ("leaseUntil" IS NULL OR "leaseUntil" < ?)`;
const SQLITE_CLAIMED = `SELECT ${[
  ...CLAIMED_DELIVERY_COLUMNS.map((c) => `d."${c}"`),
  ...CLAIMED_ENDPOINT_COLUMNS.map((c) => `w."${c}" AS "w_${c}"`),
  ...CLAIMED_EVENT_COLUMNS.map((c) => `e."${c}" AS "e_${c}"`),
].join(", ")}
  FROM "WebhookDelivery" d JOIN "WebhookEndpoint" w ON w."id" = d."endpointId" LEFT JOIN "Event" e ON e."id" = d."eventId"
  WHERE d."id" IN (SELECT "value" FROM json_each(?)) AND d."leaseOwner" = ?`;

/**
 * PostgreSQL: what an attempt needs, returned by the claim itself: the delivery's columns and, by
 * correlated look-ups on primary keys in RETURNING, its endpoint's and event's. So a claim is one
 * statement, not a claim and a read.
 */
const D = `"WebhookDelivery"`;
const endpointColumn = (column: string) => `(SELECT w."${column}" FROM "WebhookEndpoint" w WHERE w."id" = ${D}."endpointId") AS "w_${column}"`;
const eventColumn = (column: string) => `(SELECT e."${column}" FROM "Event" e WHERE e."id" = ${D}."eventId") AS "e_${column}"`;
const CLAIM_RETURNING = [
  ...CLAIMED_DELIVERY_COLUMNS.map((c) => `${D}."${c}"`),
  ...CLAIMED_ENDPOINT_COLUMNS.map(endpointColumn),
  ...CLAIMED_EVENT_COLUMNS.map(eventColumn),
].join(", ");

/** One autocommit statement in the engine's placeholders, on the driver (db/sql-reader.ts). */
function autocommit<T>(db: Db, sql: string, values: readonly unknown[]): Promise<T[]> {
  return sqlReaderOf(db).autocommit<T>(sql, values);
}

/** A delivery under this instance's lease, with what an attempt needs of its endpoint and event. */
export interface ClaimedDelivery {
  id: string;
  endpointId: string;
  eventId: string | null;
  testEventId: string | null;
  testActor: string | null;
  /** Including the attempt being made. */
  attempts: number;
  leaseOwner: string;
  createdAt: Date;
  endpoint: {
    id: string;
    operatorId: string;
    createdBy: string | null;
    url: string;
    secret: string;
    previousSecret: string | null;
    previousSecretUntil: Date | null;
    failingSince: Date | null;
  };
  /** Null for a test ping. */
  event: StoredEvent | null;
}

interface ClaimedRow {
  id: string;
  endpointId: string;
  eventId: string | null;
  testEventId: string | null;
  testActor: string | null;
  attempts: number | bigint;
  leaseOwner: string;
  createdAt: Date | string;
  nextAttemptAt: Date | string | null;
  w_operatorId: string;
  w_createdBy: string | null;
  w_url: string;
  w_secret: string;
  w_previousSecret: string | null;
  w_previousSecretUntil: Date | string | null;
  w_failingSince: Date | string | null;
  e_operatorId: string | null;
  e_sequence: number | string | bigint | null;
  e_type: string | null;
  e_at: Date | string | null;
  e_actor: string | null;
  e_simId: string | null;
  e_imsi: string | null;
  e_simTransferId: string | null;
  e_supportTicketId: string | null;
  e_data: string | null;
}

/** A claimed row as either engine hands it back (dates as Date or text, integers as number, bigint or text). */
function claimedDelivery(r: ClaimedRow): ClaimedDelivery & { nextAttemptAt: number } {
  return {
    id: r.id,
    endpointId: r.endpointId,
    eventId: r.eventId,
    testEventId: r.testEventId,
    testActor: r.testActor,
    attempts: Number(r.attempts),
    leaseOwner: r.leaseOwner,
    createdAt: toDate(r.createdAt)!,
    nextAttemptAt: toDate(r.nextAttemptAt)?.getTime() ?? 0,
    endpoint: {
      id: r.endpointId,
      operatorId: r.w_operatorId,
      createdBy: r.w_createdBy,
      url: r.w_url,
      secret: r.w_secret,
      previousSecret: r.w_previousSecret,
      previousSecretUntil: toDate(r.w_previousSecretUntil),
      failingSince: toDate(r.w_failingSince),
    },
    event:
      r.eventId === null || r.e_sequence === null
        ? null
        : {
            id: r.eventId,
            operatorId: r.e_operatorId!,
            sequence: BigInt(r.e_sequence),
            type: r.e_type!,
            at: toDate(r.e_at)!,
            actor: r.e_actor!,
            simId: r.e_simId,
            imsi: r.e_imsi,
            simTransferId: r.e_simTransferId,
            supportTicketId: r.e_supportTicketId,
            data: r.e_data ?? "{}",
          },
  };
}

/** Stored times come back as Date (PostgreSQL's driver) or as ISO text (SQLite, "+00:00"; a zoneless text is UTC). */
function toDate(value: Date | string | null): Date | null {
  if (value === null || value instanceof Date) return value;
  return new Date(/(?:Z|[+-]\d\d:?\d\d)$/.test(value) ? value : `${value}Z`);
}

/** The JSON body of a delivery (V5): { type, timestamp, data } with the event's fields and sequence. */
export function deliveryMessage(delivery: ClaimedDelivery, operatorCode: string): { id: string; at: Date; body: string } {
  const event = delivery.event;
  if (!event) {
    const id = encodeGlobalId("Event", delivery.testEventId ?? delivery.id);
    const at = delivery.createdAt;
    return {
      id,
      at,
      body: JSON.stringify({ type: "WEBHOOK_TEST", timestamp: at.toISOString(), data: { id, operatorId: operatorCode, sequence: "0", type: "WEBHOOK_TEST", at: at.toISOString(), actor: delivery.testActor ?? "system" } }),
    };
  }
  const data = JSON.parse(event.data) as EventData;
  const id = encodeGlobalId("Event", event.id);
  const gid = (type: string, rowId: string | null) => (rowId ? encodeGlobalId(type, rowId) : null);
  return {
    id,
    at: event.at,
    body: JSON.stringify({
      type: event.type,
      timestamp: event.at.toISOString(),
      data: {
        id,
        operatorId: operatorCode,
        sequence: String(event.sequence),
        type: event.type,
        at: event.at.toISOString(),
        actor: event.actor,
        simId: gid("Sim", event.simId),
        imsi: event.imsi,
        simTransferId: gid("SimTransfer", event.simTransferId),
        supportTicketId: gid("SupportTicket", event.supportTicketId),
        statusChange: data.statusChange ?? null,
        changedFields: data.changedFields ?? [],
        sessionOnline: data.sessionOnline ?? null,
        expiryAction: data.expiryAction ?? null,
        transferStatus: data.transferStatus ?? null,
        transferSide: data.transferSide ?? null,
        ticketChange: data.ticketChange ?? null,
      },
    }),
  };
}

export interface AttemptResult {
  ok: boolean;
  status: number | null;
  error: string | null;
}

/**
 * Records a failed attempt under its lease (an attempt whose lease was taken over records nothing;
 * successes are recordSuccesses'): the next attempt per `schedule`, or FAILED after the last; the endpoint's failing
 * clock starts, and after DISABLE_AFTER_MS of failures the endpoint is disabled and the
 * operator's primary address gets an EVENT_HANDLER mail, in the same transaction.
 */
export async function recordFailure(db: Db, delivery: ClaimedDelivery, result: AttemptResult, now: Date, schedule: readonly number[]): Promise<"RETRY" | "FAILED" | "LOST"> {
  const mine = { id: delivery.id, leaseOwner: delivery.leaseOwner };
  const done = { leaseOwner: null, leaseUntil: null, lastResponseStatus: result.status, lastError: result.error?.slice(0, 500) ?? null };
  const wait = schedule[delivery.attempts - 1];
  const status = wait === undefined ? "FAILED" : "PENDING";
  return db.$transaction(async (tx) => {
    const { count } = await tx.webhookDelivery.updateMany({
      where: mine,
      data: { ...done, status, nextAttemptAt: wait === undefined ? null : new Date(now.getTime() + wait) },
    });
    if (count !== 1) return "LOST" as const;
    const failingSince = delivery.endpoint.failingSince ?? now;
    if (!delivery.endpoint.failingSince) await tx.webhookEndpoint.updateMany({ where: { id: delivery.endpointId, failingSince: null }, data: { failingSince: now } });
    if (now.getTime() - failingSince.getTime() >= DISABLE_AFTER_MS) await disableFailingEndpoint(tx, delivery.endpointId, failingSince, now);
    return wait === undefined ? ("FAILED" as const) : ("RETRY" as const);
  });
}

/**
 * Records successful attempts together: ONE statement marks every delivery still under its lease
 * SUCCEEDED (with its own answer's status) and says which it marked; one more clears the failing
 * clock of endpoints that had one. Deliveries not returned lost their lease (LOST).
 */
export async function recordSuccesses(db: Db, provider: Provider, done: readonly { delivery: ClaimedDelivery; status: number | null }[]): Promise<Set<string>> {
  if (done.length === 0) return new Set();
  const pg = provider === "postgresql";
  const values: unknown[] = [];
  const p = (value: unknown, cast = "") => {
    values.push(value);
    return pg ? `$${values.length}${cast}` : "?";
  };
  // Placeholders in text order (SQLite binds `?` by position).
  const sql = `UPDATE "WebhookDelivery" SET "status" = 'SUCCEEDED', "leaseOwner" = NULL, "leaseUntil" = NULL, "nextAttemptAt" = NULL, "lastError" = NULL,
     "lastResponseStatus" = CASE "id" ${done.map((d) => `WHEN ${p(d.delivery.id)} THEN ${p(d.status, "::int")}`).join(" ")} END
     WHERE ${done.map((d) => `("id" = ${p(d.delivery.id)} AND "leaseOwner" = ${p(d.delivery.leaseOwner)})`).join(" OR ")}
     RETURNING "id"`;
  const recorded = new Set((await autocommit<{ id: string }>(db, sql, values)).map((r) => r.id));
  const recovered = [...new Set(done.filter((d) => recorded.has(d.delivery.id) && d.delivery.endpoint.failingSince).map((d) => d.delivery.endpointId))];
  if (recovered.length > 0) await db.webhookEndpoint.updateMany({ where: { id: { in: recovered } }, data: { failingSince: null } });
  return recorded;
}

async function disableFailingEndpoint(tx: Tx, endpointId: string, since: Date, now: Date): Promise<void> {
  const reason = `Every delivery failed from ${since.toISOString()} for more than three days.`;
  const { count } = await tx.webhookEndpoint.updateMany({ where: { id: endpointId, enabled: true }, data: { enabled: false, disabledReason: reason } });
  if (count !== 1) return;
  const endpoint = await tx.webhookEndpoint.findUniqueOrThrow({ where: { id: endpointId }, select: { url: true, operatorId: true, operator: { select: { operatorId: true } } } });
  const primary = await tx.emailAddress.findFirst({ where: { operatorId: endpoint.operatorId, primaryOf: { not: null } }, select: { address: true } });
  if (!primary) return;
  await enqueueMail(
    tx,
    endpoint.operatorId,
    {
      kind: "EVENT_HANDLER",
      to: [primary.address],
      subject: `Simgate: webhook endpoint disabled (${endpoint.operator.operatorId})`,
      body: [
        `Simgate disabled a webhook endpoint of operator ${endpoint.operator.operatorId}:`,
        "",
        `  ${endpoint.url}`,
        "",
        reason,
        "Events are still kept in the log. Fix the receiver, enable the endpoint again (updateWebhookEndpoint with enabled: true),",
        "and queue what it missed with redeliverWebhookEvents.",
      ].join("\n"),
    },
    now,
  );
}

/** V9: a delivery its owner may no longer read is closed without a request. */
export async function skipDelivery(db: Db, delivery: ClaimedDelivery, reason: string): Promise<void> {
  await db.webhookDelivery.updateMany({
    where: { id: delivery.id, leaseOwner: delivery.leaseOwner },
    data: { status: "FAILED", leaseOwner: null, leaseUntil: null, nextAttemptAt: null, lastError: reason },
  });
}

/**
 * V9: whether the endpoint's owner may read the event now, by the same evaluator as requests. The
 * root's endpoints read everything. A user's endpoint: the user must still exist (U8), with its
 * statements as they are now: Event:read, the area read of a transfer or ticket event, and Sim:read
 * on the event's SIM while the operator still owns it (events/visibility.ts). A test ping is the
 * endpoint's own and always goes. At most three statements (user, SIM, its tags and group).
 */
export async function webhookOwnerMayRead(db: Db, delivery: ClaimedDelivery): Promise<boolean> {
  const owner = delivery.endpoint.createdBy;
  if (owner === null) return true;
  const operatorId = delivery.endpoint.operatorId;
  const user = await db.user.findFirst({ where: { id: owner, operatorId }, select: { id: true, name: true, permissions: true } });
  if (user === null) return false;
  const event = delivery.event;
  if (!event) return true;
  const principal: Principal = { kind: "USER", userId: user.id, name: user.name, statements: JSON.parse(user.permissions) as Statement[] };
  const visibility = eventVisibility(principal);
  const sim = event.simId && needsSimCheck(visibility) ? await db.sim.findFirst({ where: { id: event.simId, operatorId }, select: { id: true, imsi: true, groupId: true } }) : null;
  const resource = sim ? (await simResources(db as unknown as Tx, [sim])).get(sim.id) : undefined;
  return eventVisibleTo(visibility, event, () => resource !== undefined && decide(principal.statements, "Sim:read", resource).allowed);
}

/** One page of an endpoint's delivery log, newest first (keyset on createdAt, id). */
export interface DeliveryPageRequest {
  endpointId: string;
  operatorId: string;
  status: string | null;
  /** Delivery IDs bounding the page (exclusive), already decoded from their cursors. */
  after: string | null;
  before: string | null;
  limit: number;
  /** Oldest first (a `last`/`before` page). */
  inverted: boolean;
  /** U4: who reads the log; deliveries of events it may not read are left out. */
  principal: Principal | undefined;
  sql: SqlReader;
}

type DeliveryRow = Awaited<ReturnType<Db["webhookDelivery"]["findFirstOrThrow"]>>;

/**
 * U4: a user reads the deliveries of events it may read (events/visibility.ts), plus test pings.
 * The root and users who may read every event: Prisma, as before. Others: the page's IDs by SQL
 * (the SIM scope is a subquery), then the rows. Bounded: the bound rows, the IDs, the rows.
 */
export async function deliveryPage(db: Db, request: DeliveryPageRequest): Promise<DeliveryRow[]> {
  const bounds = [request.after, request.before].filter((id): id is string => id !== null);
  const anchors = new Map(
    (bounds.length ? await db.webhookDelivery.findMany({ where: { id: { in: bounds }, endpointId: request.endpointId }, select: { id: true, createdAt: true } }) : []).map((r) => [r.id, r.createdAt]),
  );
  // A cursor naming no delivery of this endpoint (deleted meanwhile) ends the list rather than restarting it.
  if (bounds.some((id) => !anchors.has(id))) return [];
  const desc = !request.inverted;
  const visibility = eventVisibility(request.principal);
  if (!needsSimCheck(visibility)) {
    const below = (id: string) => ({ OR: [{ createdAt: { lt: anchors.get(id)! } }, { createdAt: anchors.get(id)!, id: { lt: id } }] });
    const above = (id: string) => ({ OR: [{ createdAt: { gt: anchors.get(id)! } }, { createdAt: anchors.get(id)!, id: { gt: id } }] });
    const visible = visibleEventWhere(visibility);
    return db.webhookDelivery.findMany({
      where: {
        AND: [
          { endpointId: request.endpointId },
          ...(request.status ? [{ status: request.status as "PENDING" }] : []),
          ...(request.after ? [below(request.after)] : []),
          ...(request.before ? [above(request.before)] : []),
          ...(Object.keys(visible).length ? [{ OR: [{ eventId: null }, { event: { is: visible } }] }] : []),
        ],
      },
      orderBy: [{ createdAt: desc ? "desc" : "asc" }, { id: desc ? "desc" : "asc" }],
      take: request.limit,
    });
  }
  const [where, params] = deliveryListingSql(request, visibility);
  const bound = (id: string, op: "<" | ">") => {
    params.push(anchors.get(id)!, anchors.get(id)!, id);
    return `(d."createdAt" ${op} ? OR (d."createdAt" = ? AND d."id" ${op} ?))`;
  };
  const parts = [where];
  if (request.after) parts.push(bound(request.after, "<"));
  if (request.before) parts.push(bound(request.before, ">"));
  const dir = desc ? "DESC" : "ASC";
  params.push(request.limit);
  const ids = (
    await request.sql.all<{ id: string }>(
      `SELECT d."id" FROM "WebhookDelivery" d LEFT JOIN "Event" e ON e."id" = d."eventId" WHERE ${parts.join(" AND ")} ORDER BY d."createdAt" ${dir}, d."id" ${dir} LIMIT ?`,
      params,
    )
  ).map((r) => r.id);
  if (ids.length === 0) return [];
  const rows = new Map((await db.webhookDelivery.findMany({ where: { id: { in: ids } } })).map((r) => [r.id, r]));
  return ids.flatMap((id) => rows.get(id) ?? []);
}

/** The endpoint's deliveries a principal may read (the connection's totalCount): one statement. */
export async function countDeliveries(db: Db, request: Pick<DeliveryPageRequest, "endpointId" | "operatorId" | "status" | "principal" | "sql">): Promise<number> {
  const visibility = eventVisibility(request.principal);
  if (!needsSimCheck(visibility)) {
    const visible = visibleEventWhere(visibility);
    return db.webhookDelivery.count({
      where: {
        endpointId: request.endpointId,
        ...(request.status ? { status: request.status as "PENDING" } : {}),
        ...(Object.keys(visible).length ? { OR: [{ eventId: null }, { event: { is: visible } }] } : {}),
      },
    });
  }
  const [where, params] = deliveryListingSql(request, visibility);
  const [row] = await request.sql.all<{ n: number }>(`SELECT COUNT(*) AS "n" FROM "WebhookDelivery" d LEFT JOIN "Event" e ON e."id" = d."eventId" WHERE ${where}`, params, { n: "int" });
  return row?.n ?? 0;
}

function deliveryListingSql(request: Pick<DeliveryPageRequest, "endpointId" | "operatorId" | "status">, visibility: EventVisibility): [string, unknown[]] {
  const [visible, visibleParams] = visibleEventSql(visibility, request.operatorId, "e");
  const parts = [`d."endpointId" = ?`];
  const params: unknown[] = [request.endpointId];
  if (request.status) {
    parts.push(`d."status" = ?`);
    params.push(request.status);
  }
  // A test ping (no event) is the endpoint's own.
  parts.push(`(d."eventId" IS NULL OR ${visible})`);
  params.push(...visibleParams);
  return [parts.join(" AND "), params];
}
