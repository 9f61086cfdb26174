import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";

/** The row ID inside a global ID of the expected type, or null (unknown, malformed or other type). */
export function rowIdOf(typename: string, globalId: string): string | null {
  try {
    const decoded = decodeGlobalID(globalId);
    return decoded.typename === typename && decoded.id.length > 0 ? decoded.id : null;
  } catch {
    return null;
  }
}

export function globalIdOf(typename: string, rowId: string): string {
  return encodeGlobalID(typename, rowId);
}
