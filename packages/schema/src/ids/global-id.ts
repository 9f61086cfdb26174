// Relay global IDs, base64 of "Type:id", written byte for byte as @pothos/plugin-relay writes
// them (a unit test compares the two), so services and jobs name objects without Pothos.
import { Buffer } from "node:buffer";

const BASE64 = /^(?:[\d+/A-Za-z]{4})*(?:[\d+/A-Za-z]{2}==|[\d+/A-Za-z]{3}=)?$/;
const TYPENAME = /^[A-Z_a-z]\w*$/;

export function encodeGlobalId(typename: string, id: string): string {
  return Buffer.from(`${typename}:${id}`).toString("base64");
}

/** Throws on anything that is not base64 of "Type:id", as the relay plugin's decoder does. */
export function decodeGlobalId(globalId: string): { typename: string; id: string } {
  if (!BASE64.test(globalId)) throw new Error("Invalid global ID");
  const [typename, ...rest] = Buffer.from(globalId, "base64").toString().split(":");
  const id = rest.join(":");
  if (!typename || !rest[0] || !TYPENAME.test(typename)) throw new Error("Invalid global ID");
  return { typename, id };
}

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
    const decoded = decodeGlobalId(globalId);
    return /^[A-Za-z]+$/.test(decoded.typename) && ROW_ID.test(decoded.id) ? decoded : null;
  } catch {
    return null;
  }
}

export function globalIdOf(typename: string, rowId: string): string {
  return encodeGlobalId(typename, rowId);
}
