// U1: a user's name, unique in its operator. Names are compared as written (case-sensitive), like
// the unique index that enforces them.
import { normalizeEmail } from "./email-address.ts";
import { userError, type UserError } from "./user-error.ts";

export const USER_NAME_MAX = 100;
/** U1: at most this many users per operator. */
export const MAX_USERS_PER_OPERATOR = 100;

const USER_NAME = /^[A-Za-z0-9._-]{1,100}$/;

export function checkUserName(name: string, field: (string | number)[]): UserError | null {
  return USER_NAME.test(name)
    ? null
    : userError("USER_NAME_INVALID", `A user name is 1 to ${USER_NAME_MAX} of A–Z a–z 0–9 . _ -`, field);
}

/** U10: how audit entries and events name a user. */
export function userActor(name: string): string {
  return `user:${name}`;
}

/** U10: how audit entries and events name an auth key of the root user. */
export function authKeyActor(authKeyId: string): string {
  return `authKey:${authKeyId}`;
}

/**
 * U2: the account a sign-in attempt counts against for the per-account rate limit: the primary
 * address for the root user, operator ID + user name for a user. Lower-cased, so that changing the
 * case of a name does not buy a fresh budget. Null when the input names neither.
 */
export function signInAccountKey(input: { email?: unknown; operatorId?: unknown; userName?: unknown }): string | null {
  if (typeof input.email === "string") return input.email.length <= 254 ? normalizeEmail(input.email) : null;
  if (typeof input.operatorId === "string" && typeof input.userName === "string") {
    if (input.operatorId.length > 100 || input.userName.length > USER_NAME_MAX) return null;
    return `user:${input.operatorId.trim().toLowerCase()}/${input.userName.trim().toLowerCase()}`;
  }
  return null;
}
