// Keyset pagination for SIM listings. Prisma's own cursor turns into an OR with NULL checks that
// no index can seek, so a page deep in a million SIMs would cost as much as the rows before it.
// Here a page after (value, id) is `key >= value AND NOT (key = value AND id <= id)`: the first
// term is a range the (operator, [filters,] key, id) indexes seek to; the second drops the few
// ties. Every order ends with the ID, so pages never skip or repeat.
import type { Prisma } from "../db/generated/sqlite/client.ts";

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
  const value = order.field === "CREATED_AT" ? new Date(parsed[1]) : parsed[1];
  if (value instanceof Date && Number.isNaN(value.getTime())) throw new InvalidCursor("The cursor is damaged.");
  return { value, id: parsed[2] };
}

/** Rows strictly after (or, with `before`, strictly before) the cursor in the listing's order. */
export function keysetWhere(order: SimOrderSpec, cursor: string, side: "after" | "before"): Prisma.SimWhereInput {
  const { value, id } = decodeCursor(order, cursor);
  const column: KeyColumn = orderKeys[order.field];
  // Walking forward in ascending order, or backward in descending order, means larger keys.
  const larger = (side === "after") !== order.descending;
  return {
    [column]: larger ? { gte: value } : { lte: value },
    NOT: { [column]: value, id: larger ? { lte: id } : { gte: id } },
  } as Prisma.SimWhereInput;
}

export function keysetOrderBy(order: SimOrderSpec, reverse: boolean): Prisma.SimOrderByWithRelationInput[] {
  const direction = order.descending !== reverse ? "desc" : "asc";
  return [{ [orderKeys[order.field]]: direction }, { id: direction }];
}
