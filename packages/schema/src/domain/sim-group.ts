// G1–G3: SIM groups, on plain values. The services (groups/) lock, read and write; this decides.
import type { SimStatus } from "./sim-status.ts";
import { userError, type UserError } from "./user-error.ts";

/** G1: groups per operator. */
export const MAX_GROUPS = 1_000;
/** G1: SIMs one setSimGroup call moves (the bulk bound of S11). */
export const MAX_GROUP_SIMS = 1_000;
export const GROUP_DESCRIPTION_MAX = 1_000;

/** G1: the characters of user names (U1), 1 to 100 of them. */
const GROUP_NAME = /^[A-Za-z0-9._-]{1,100}$/;

/**
 * G1: a group name. The contract has no code of its own for a malformed group name (its name codes
 * are the users'), so it is INVALID_INPUT at the field.
 */
export function checkGroupName(name: string, field: (string | number)[]): UserError | null {
  return GROUP_NAME.test(name) ? null : userError("INVALID_INPUT", "A group name is 1 to 100 of A–Z a–z 0–9 . _ -", field);
}

export function checkGroupDescription(description: string | null | undefined, field: (string | number)[]): UserError | null {
  return description != null && description.length > GROUP_DESCRIPTION_MAX
    ? userError("INVALID_INPUT", `A description is at most ${GROUP_DESCRIPTION_MAX} characters.`, field)
    : null;
}

/** G1: refused when the operator already has `existing` groups. */
export function judgeGroupLimit(existing: number, field: (string | number)[]): UserError | null {
  return existing >= MAX_GROUPS ? userError("GROUP_LIMIT_EXCEEDED", `An operator has at most ${MAX_GROUPS.toLocaleString("en")} groups (G1).`, field) : null;
}

export function groupNameTaken(field: (string | number)[]): UserError {
  return userError("GROUP_NAME_TAKEN", "The operator already has a group of this name (G1).", field);
}

/** G2: only an empty group may be deleted. */
export function judgeGroupDeletion(simCount: number, field: (string | number)[]): UserError | null {
  return simCount > 0 ? userError("GROUP_NOT_EMPTY", "The group still holds SIMs; take them out first (G2).", field) : null;
}

/**
 * G1 for one SIM of setSimGroup, `into` a group or out of any (null). A SIM held by a transfer
 * changes owner soon (G3 takes it out then), so it is left alone. A terminated SIM keeps its group
 * until it leaves listings (G2, S9) and may be taken out, but joins none: groups organise the SIMs
 * an operator still works with.
 */
export function judgeGroupMove(sim: { status: SimStatus }, into: string | null, field: (string | number)[]): UserError | null {
  if (sim.status === "TRANSFERRING") return userError("SIM_TRANSFERRING", "The SIM is being transferred (T4).", field);
  if (sim.status === "TERMINATED" && into !== null) return userError("SIM_TERMINATED", "A terminated SIM joins no group (S6); it may only be taken out.", field);
  return null;
}
