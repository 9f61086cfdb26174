// Mutations answer a discriminated result: domain refusals (the payload's userErrors, with the
// contract's UserErrorCode) are data to branch on; transport and API failures throw SimgateError.
import { SimgateServerError } from "./errors.ts";
import type { UserErrorFieldsFragment } from "./generated/graphql.ts";

/** A domain refusal: nothing changed. `field` is the input path at fault, e.g. ["input", "simIds", "2"]. */
export type UserError = UserErrorFieldsFragment;

export type MutationResult<T> = { ok: true; data: T } | { ok: false; userErrors: UserError[] };

interface Payload {
  userErrors: UserError[];
}

/** ok with `pick(payload)` when the payload has no userErrors, else the refusals. */
export function resultOf<P extends Payload, T>(payload: P, pick: (payload: P) => T | null | undefined): MutationResult<T> {
  if (payload.userErrors.length > 0) return { ok: false, userErrors: payload.userErrors };
  const data = pick(payload);
  if (data === null || data === undefined) {
    // The contract promises the object on success; its absence is a server fault, not a refusal.
    throw new SimgateServerError("The Simgate API reported success without a result.", { code: "INVALID_RESPONSE" });
  }
  return { ok: true, data };
}

/** For payloads that carry nothing but userErrors. */
export function doneOf(payload: Payload): MutationResult<null> {
  return payload.userErrors.length > 0 ? { ok: false, userErrors: payload.userErrors } : { ok: true, data: null };
}
