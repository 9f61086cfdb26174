// U4, V4, V9: which events of an operator's log a principal may read. One rule for every reader
// (pull, push, webhook delivery listing, delivery time): Event:read, and then
// - an event of a SIM: only when the principal may Sim:read that SIM now (an event whose SIM is no
//   longer the operator's, e.g. transferred away, cannot be shown readable and is hidden);
// - SIM_TRANSFER_CHANGED without a SIM: only with SimTransfer:read;
// - SUPPORT_TICKET_CHANGED: only with Support:read.
// The SIM condition cannot be a Prisma where (Event.simId has no relation to Sim), so it is SQL:
// a subquery of the readable SIMs, compiled from the same scope as the tenant client's.
import type { Principal } from "../context.ts";
import { sqlReaderOf, type Db } from "../db/database.ts";
import { decide, simScope, type SimScope } from "../domain/permissions.ts";
import { readableSimIdsSql } from "../sims/listing-sql.ts";

/** Event types without a SIM and the area read each needs beside Event:read. */
const AREA_READ: Readonly<Record<string, string>> = {
  SIM_TRANSFER_CHANGED: "SimTransfer:read",
  SUPPORT_TICKET_CHANGED: "Support:read",
};

export type EventVisibility =
  /** Everything (the root; a user allowed every read involved). */
  | { kind: "all" }
  /** Nothing (no Event:read). */
  | { kind: "none" }
  /**
   * hiddenTypes: event types hidden whatever their SIM (area reads missing); sims: the SIM scope
   * events of a SIM need (null: every SIM of the operator, so no SQL is needed).
   */
  | { kind: "some"; hiddenTypes: string[]; sims: SimScope | null };

export function eventVisibility(principal: Principal | undefined): EventVisibility {
  if (!principal || principal.kind === "ROOT") return { kind: "all" };
  const statements = principal.statements;
  if (!decide(statements, "Event:read", { kind: "operator" }).allowed) return { kind: "none" };
  const hiddenTypes = Object.entries(AREA_READ)
    .filter(([, action]) => !decide(statements, action, { kind: "operator" }).allowed)
    .map(([type]) => type);
  const scope = simScope(statements, "Sim:read");
  const everySim = scope.deny.length === 0 && scope.allow.some((p) => p.kind === "all");
  if (everySim && hiddenTypes.length === 0) return { kind: "all" };
  return { kind: "some", hiddenTypes, sims: everySim ? null : scope };
}

/** Whether the principal's reads need the SQL path (a SIM scope narrower than every SIM). */
export function needsSimCheck(visibility: EventVisibility): visibility is { kind: "some"; hiddenTypes: string[]; sims: SimScope } {
  return visibility.kind === "some" && visibility.sims !== null;
}

/**
 * The visibility as one SQL condition on the Event row aliased `alias` (double-quoted columns,
 * `?` placeholders, for db/sql-reader.ts). Never NULL, so it can be negated or OR-ed safely.
 */
export function visibleEventSql(visibility: EventVisibility, operatorId: string, alias: string): [string, unknown[]] {
  if (visibility.kind === "all") return ["1 = 1", []];
  if (visibility.kind === "none") return ["1 = 0", []];
  const parts: string[] = [];
  const params: unknown[] = [];
  if (visibility.hiddenTypes.length > 0) {
    parts.push(`${alias}."type" NOT IN (${visibility.hiddenTypes.map(() => "?").join(", ")})`);
    params.push(...visibility.hiddenTypes);
  }
  if (visibility.sims) {
    const [sims, simParams] = readableSimIdsSql(visibility.sims, operatorId);
    parts.push(`(${alias}."simId" IS NULL OR ${alias}."simId" IN (${sims}))`);
    params.push(...simParams);
  }
  return [parts.length ? `(${parts.join(" AND ")})` : "1 = 1", params];
}

/** The part of the visibility a Prisma where on Event can say (everything but the SIM scope). */
export function visibleEventWhere(visibility: EventVisibility): Record<string, unknown> {
  if (visibility.kind === "all") return {};
  if (visibility.kind === "none") return { id: { in: [] } };
  return visibility.hiddenTypes.length > 0 ? { type: { notIn: visibility.hiddenTypes } } : {};
}

/** Decides one event in memory, given whether its SIM is readable (V9 at delivery time). */
export function eventVisibleTo(visibility: EventVisibility, event: { type: string; simId: string | null }, simReadable: (simId: string) => boolean): boolean {
  if (visibility.kind === "all") return true;
  if (visibility.kind === "none") return false;
  if (visibility.hiddenTypes.includes(event.type)) return false;
  if (event.simId === null || visibility.sims === null) return true;
  return simReadable(event.simId);
}

/**
 * U4 for objects fetched by ID (node, nodes): which of these events, or of these webhook deliveries'
 * events, the principal may read; one statement. A delivery without an event (a test ping) is the
 * endpoint's own and stays visible.
 */
export async function visibleByIdOf(db: Db, principal: Principal | undefined, operatorId: string, kind: "Event" | "WebhookDelivery", ids: readonly string[]): Promise<Set<string>> {
  const visibility = eventVisibility(principal);
  if (visibility.kind === "all" || ids.length === 0) return new Set(ids);
  const [visible, params] = visibleEventSql(visibility, operatorId, "e");
  const marks = ids.map(() => "?").join(", ");
  const sql =
    kind === "Event"
      ? `SELECT e."id" AS "id" FROM "Event" e WHERE e."operatorId" = ? AND e."id" IN (${marks}) AND ${visible}`
      : `SELECT d."id" AS "id" FROM "WebhookDelivery" d LEFT JOIN "Event" e ON e."id" = d."eventId" WHERE d."id" IN (${marks}) AND (d."eventId" IS NULL OR (e."operatorId" = ? AND ${visible}))`;
  const args = kind === "Event" ? [operatorId, ...ids, ...params] : [...ids, operatorId, ...params];
  const rows = await sqlReaderOf(db).all<{ id: string }>(sql, args);
  return new Set(rows.map((r) => r.id));
}
