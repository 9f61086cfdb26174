import { decodeGlobalID, encodeGlobalID } from "@pothos/plugin-relay";

/** Row IDs are UUIDs; anything else inside a global ID is malformed and names nothing. */
const ROW_ID = /^[0-9A-Za-z-]{1,64}$/;

export function isRowId(value: string): boolean {
  return ROW_ID.test(value);
}

/** The row ID inside a global ID of the expected type, or null (unknown, malformed or other type). */
export function rowIdOf(typename: string, globalId: string): string | null {
  const decoded = safeDecode(globalId);
  return decoded && decoded.typename === typename ? decoded.id : null;
}

/** Decodes a global ID, or null when it is not one of ours (malformed base64, odd characters). */
export function safeDecode(globalId: string): { typename: string; id: string } | null {
  if (globalId.length > 200) return null;
  try {
    const decoded = decodeGlobalID(globalId);
    return /^[A-Za-z]+$/.test(decoded.typename) && ROW_ID.test(decoded.id) ? decoded : null;
  } catch {
    return null;
  }
}

export function globalIdOf(typename: string, rowId: string): string {
  return encodeGlobalID(typename, rowId);
}
