// The one place where connection cursors are read. A connection field names its cursor format in
// `extensions.cursorKind`; every connection without one uses Pothos' Prisma cursor on the row ID
// (`cursor: "id"`). The server decodes `after`/`before` of every connection field with this
// before anything executes (packages/server/src/input-limits.ts), so no damaged cursor ever
// reaches Prisma or SQL, whatever the connection.
import { parsePrismaCursor } from "@pothos/plugin-prisma";
import { InvalidCursor, keysetBound, simOrderSpecOf, type SimOrderSpec } from "../sims/keyset.ts";
import { isRowId } from "../ids/global-id.ts";
import { parseSequence } from "../events/read.ts";

export { InvalidCursor };

export type CursorKind = "row-id" | "sim-keyset" | "event-sequence";

/** Field extensions of a connection whose cursors are not Prisma row-ID cursors. */
export const simKeysetCursor = { cursorKind: "sim-keyset" satisfies CursorKind } as const;
/** Event listings: the cursor is an Event.sequence in decimal digits (V2). */
export const eventSequenceCursor = { cursorKind: "event-sequence" satisfies CursorKind } as const;

/** An event sequence given as a cursor; throws InvalidCursor when it is not one (bounded: 19 digits). */
export function decodeEventSequence(cursor: string): bigint {
  const sequence = parseSequence(cursor);
  if (sequence === null) throw new InvalidCursor("An event cursor is an Event.sequence: decimal digits, at most 19.");
  return sequence;
}

/** The row ID inside a Prisma cursor (`cursor: "id"`); throws InvalidCursor for anything else. */
export function decodeRowIdCursor(cursor: string): string {
  let value: unknown;
  try {
    value = parsePrismaCursor(cursor);
  } catch {
    throw new InvalidCursor("The cursor is not one this listing handed out.");
  }
  if (typeof value !== "string" || !isRowId(value)) throw new InvalidCursor("The cursor is damaged.");
  return value;
}

/**
 * Decodes `cursor` the way the connection field with these extensions and arguments will; throws
 * InvalidCursor (whose message never quotes the cursor) when it could not have been handed out.
 */
export function checkConnectionCursor(
  extensions: Readonly<Record<string, unknown>> | null | undefined,
  args: Record<string, unknown>,
  cursor: string,
  side: "after" | "before",
): void {
  if (extensions?.cursorKind === "event-sequence") {
    decodeEventSequence(cursor);
    return;
  }
  if (extensions?.cursorKind === "sim-keyset") {
    const order: SimOrderSpec = simOrderSpecOf(args.orderBy as Parameters<typeof simOrderSpecOf>[0]);
    keysetBound(order, cursor, side);
    return;
  }
  decodeRowIdCursor(cursor);
}
