// Keyset pagination for SIM listings. Prisma's own cursor turns into an OR with NULL checks that
// no index can seek, so a page deep in a million SIMs would cost as much as the rows before it.
// Here a page after (value, id) is `key >= value AND NOT (key = value AND id <= id)`: the first
// term is a range the (operator, [filters,] key, id) indexes seek to; the second drops the few
// ties. Every order ends with the ID, so pages never skip or repeat.
import type { Prisma } from "../db/generated/sqlite/client.ts";
import { simStatuses } from "../domain/sim-status.ts";

export const orderKeys = { CREATED_AT: "registeredAt", IMSI: "imsi", NAME: "name", STATUS: "status" } as const;
export type OrderField = keyof typeof orderKeys;
type KeyColumn = (typeof orderKeys)[OrderField];

export interface SimOrderSpec {
  field: OrderField;
  descending: boolean;
}

interface KeyedRow {
  id: string;
  registeredAt: Date | null;
  imsi: string;
  name: string;
  status: string;
}

/** Opaque cursor: the row's sort value and ID. */
export function encodeCursor(order: SimOrderSpec, row: KeyedRow): string {
  const value = row[orderKeys[order.field]];
  return Buffer.from(JSON.stringify([order.field, value instanceof Date ? value.toISOString() : value, row.id])).toString("base64url");
}

export class InvalidCursor extends Error {}

/** The order a listing's `orderBy` argument asks for (CREATED_AT ascending by default). */
export function simOrderSpecOf(orderBy: { field?: OrderField | null; direction?: string | null } | null | undefined): SimOrderSpec {
  return { field: orderBy?.field ?? "CREATED_AT", descending: orderBy?.direction === "DESC" };
}

/** Row IDs are UUIDs; what a cursor carries as one must look like one before any database sees it. */
const ROW_ID = /^[0-9A-Za-z-]{1,64}$/;
/** Sort values are names, IMSIs and statuses: short, storable text (no NUL, which PostgreSQL refuses). */
const SORT_VALUE = /^[^\u0000\uD800-\uDFFF]{0,256}$/u;
/** Instants both engines store and compare alike. */
const EARLIEST = Date.UTC(1970, 0, 1);
const LATEST = Date.UTC(10_000, 0, 1) - 1;

function decodeCursor(order: SimOrderSpec, cursor: string): { value: string | Date; id: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, "base64url").toString("utf8"));
  } catch {
    throw new InvalidCursor("The cursor is not one this listing handed out.");
  }
  if (!Array.isArray(parsed) || parsed.length !== 3 || parsed[0] !== order.field || typeof parsed[1] !== "string" || typeof parsed[2] !== "string") {
    throw new InvalidCursor("The cursor belongs to another listing or order.");
  }
  if (!ROW_ID.test(parsed[2]) || !SORT_VALUE.test(parsed[1])) throw new InvalidCursor("The cursor is damaged.");
  const value = order.field === "CREATED_AT" ? new Date(parsed[1]) : parsed[1];
  if (value instanceof Date && !(value.getTime() >= EARLIEST && value.getTime() <= LATEST)) throw new InvalidCursor("The cursor is damaged.");
  if (order.field === "STATUS" && !(simStatuses as readonly string[]).includes(value as string)) throw new InvalidCursor("The cursor is damaged.");
  return { value, id: parsed[2] };
}

export interface KeysetBound {
  value: string | Date;
  id: string;
  /** The rows wanted have larger keys than the cursor's. */
  larger: boolean;
}

/** Where rows strictly after (or, with `before`, strictly before) the cursor lie. */
export function keysetBound(order: SimOrderSpec, cursor: string, side: "after" | "before"): KeysetBound {
  const { value, id } = decodeCursor(order, cursor);
  // Walking forward in ascending order, or backward in descending order, means larger keys.
  return { value, id, larger: (side === "after") !== order.descending };
}

/** The same bound as a Prisma condition. */
export function keysetWhere(order: SimOrderSpec, cursor: string, side: "after" | "before"): Prisma.SimWhereInput {
  const { value, id, larger } = keysetBound(order, cursor, side);
  const column: KeyColumn = orderKeys[order.field];
  // Prisma compares enums only by equality: "at or beyond" a status is the list of those statuses
  // (declared in alphabetical order, which is also PostgreSQL's order for the enum).
  const range =
    order.field === "STATUS"
      ? { in: simStatuses.filter((s) => (larger ? s >= (value as string) : s <= (value as string))) }
      : larger
        ? { gte: value }
        : { lte: value };
  return {
    [column]: range,
    NOT: { [column]: value, id: larger ? { lte: id } : { gte: id } },
  } as Prisma.SimWhereInput;
}

export function keysetOrderBy(order: SimOrderSpec, reverse: boolean): Prisma.SimOrderByWithRelationInput[] {
  const direction = order.descending !== reverse ? "desc" : "asc";
  return [{ [orderKeys[order.field]]: direction }, { id: direction }];
}
