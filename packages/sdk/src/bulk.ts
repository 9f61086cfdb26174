// Bulk calls take at most 1,000 SIMs per request (TOO_MANY_ITEMS above); the SDK's bulk methods
// take any number and send them in chunks of that size, one after the other (a bulk request counts
// as one operation for rate limits, S11, and sequential chunks keep the operator's write line
// free for others). Each chunk is its own mutation call, so it has its own idempotency key and is
// retried on its own: a chunk never runs twice, and a later chunk's failure leaves the earlier
// ones done.
import type { CallOptions } from "./call-options.ts";
import type { UserError } from "./result.ts";
import type { SimOperationResult } from "./types.ts";

/** How many SIMs one bulk request carries: the server's per-call limit. */
export const BULK_CHUNK_SIZE = 1_000;

/**
 * The outcome of a chunked bulk call. `ok: true`: one result per input SIM, in input order, each
 * with its own userErrors. `ok: false`: a chunk was refused as a whole (e.g. PERMISSION_DENIED, no
 * such group): nothing of that chunk or after it was sent or changed; `completed` holds the
 * results of the chunks before it (the first `completed.length` SIMs), which did take effect.
 */
export type BulkResult =
  | { ok: true; data: SimOperationResult[] }
  | { ok: false; userErrors: UserError[]; completed: SimOperationResult[] };

interface BulkPayload {
  results: SimOperationResult[];
  userErrors: UserError[];
}

/** `["input", list, "<i>", …]` of a chunk → the same path in the caller's whole list. */
function rebase(field: string[] | null, listName: string, offset: number): string[] | null {
  if (offset === 0 || !field || field[0] !== "input" || field[1] !== listName || field[2] === undefined || !/^\d+$/.test(field[2])) return field;
  return [field[0], field[1], String(Number(field[2]) + offset), ...field.slice(3)];
}

function rebaseErrors(errors: UserError[], listName: string, offset: number): UserError[] {
  return offset === 0 ? errors : errors.map((error) => ({ ...error, field: rebase(error.field, listName, offset) }));
}

/**
 * Sends `items` in chunks of BULK_CHUNK_SIZE through `send` (one request each), in order, and
 * concatenates the results. `listName` is the input field the items travel in (for field paths).
 */
export async function inChunks<I>(
  items: readonly I[],
  listName: string,
  options: CallOptions | undefined,
  send: (chunk: I[], options: CallOptions | undefined) => Promise<BulkPayload>,
): Promise<BulkResult> {
  const completed: SimOperationResult[] = [];
  for (let offset = 0; offset < items.length; offset += BULK_CHUNK_SIZE) {
    const payload = await send(items.slice(offset, offset + BULK_CHUNK_SIZE), options);
    if (payload.userErrors.length > 0) return { ok: false, userErrors: rebaseErrors(payload.userErrors, listName, offset), completed };
    for (const result of payload.results) completed.push({ ...result, userErrors: rebaseErrors(result.userErrors, listName, offset) });
  }
  return { ok: true, data: completed };
}
