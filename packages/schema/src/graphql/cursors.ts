// The one place where connection cursors are read. A connection field names its cursor format in
// `extensions.cursorKind`; every connection without one uses Pothos' Prisma cursor on the row ID
// (`cursor: "id"`). The server decodes `after`/`before` of every connection field with this
// before anything executes (packages/server/src/input-limits.ts), so no damaged cursor ever
// reaches Prisma or SQL, whatever the connection.
import { parsePrismaCursor } from "@pothos/plugin-prisma";
import { InvalidCursor, keysetBound, simOrderSpecOf, type SimOrderSpec } from "../sims/keyset.ts";
import { isRowId } from "../ids/global-id.ts";

export { InvalidCursor };

export type CursorKind = "row-id" | "sim-keyset";

/** Field extensions of a connection whose cursors are not Prisma row-ID cursors. */
export const simKeysetCursor = { cursorKind: "sim-keyset" satisfies CursorKind } as const;

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
  if (extensions?.cursorKind === "sim-keyset") {
    const order: SimOrderSpec = simOrderSpecOf(args.orderBy as Parameters<typeof simOrderSpecOf>[0]);
    keysetBound(order, cursor, side);
    return;
  }
  decodeRowIdCursor(cursor);
}
