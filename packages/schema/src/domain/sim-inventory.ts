// S1: what a SIM's identifiers look like, and the operator-given attributes (name, tags).
import { createHash } from "node:crypto";
import { foldedMatchKey } from "./match-key.ts";
import { userError, type UserError } from "./user-error.ts";

export const IMSI_PATTERN = /^\d{15}$/;
export const ICCID_PATTERN = /^\d{19,20}$/;
export const MSISDN_PATTERN = /^\d{8,15}$/;
export const SUBSCRIPTION_PATTERN = /^[A-Za-z0-9][A-Za-z0-9-]{0,31}$/;
// One call stays well inside the request body limit (1 MiB) and holds the event loop briefly.
export const MAX_PROVISION_BATCH = 1_000;
export const MAX_BULK_SIMS = 1_000;
export const NAME_MAX = 100;
export const MAX_TAGS = 50;
export const TAG_NAME_MAX = 64;
export const TAG_VALUE_MAX = 256;

export interface ProvisionItem {
  imsi: string;
  iccid: string;
  msisdn?: string | null;
  subscription: string;
  registrationSecret: string;
}

/** Field-level refusals of one provisioned SIM at `path` (e.g. ["input", "sims", "3"]). */
export function checkProvisionItem(item: ProvisionItem, path: string[]): UserError[] {
  const errors: UserError[] = [];
  if (!IMSI_PATTERN.test(item.imsi)) errors.push(userError("INVALID_INPUT", "An IMSI is 15 digits.", [...path, "imsi"]));
  if (!ICCID_PATTERN.test(item.iccid)) errors.push(userError("INVALID_INPUT", "An ICCID is 19 or 20 digits.", [...path, "iccid"]));
  if (item.msisdn != null && !MSISDN_PATTERN.test(item.msisdn)) errors.push(userError("INVALID_INPUT", "An MSISDN is 8 to 15 digits.", [...path, "msisdn"]));
  if (!SUBSCRIPTION_PATTERN.test(item.subscription)) {
    errors.push(userError("INVALID_INPUT", "A subscription is 1 to 32 letters, digits or dashes.", [...path, "subscription"]));
  }
  if (item.registrationSecret.length < 8 || item.registrationSecret.length > 128) {
    errors.push(userError("INVALID_INPUT", "A registration secret is 8 to 128 characters.", [...path, "registrationSecret"]));
  }
  return errors;
}

/** Registration secrets are issued by the platform with high entropy: a salted digest suffices. */
export function registrationDigest(imsi: string, secret: string): string {
  return createHash("sha256").update(`${imsi}:${secret}`).digest("hex");
}

/** What S1 search matches inside besides the name: the identifiers, which never change (match-key.ts). */
export function searchTextOf(sim: { imsi: string; iccid: string; msisdn: string | null }): string {
  return foldedMatchKey([sim.imsi, sim.iccid, sim.msisdn ?? ""].join(" "));
}

/** What S1 search matches inside the name. */
export function nameKeyOf(name: string): string {
  return foldedMatchKey(name);
}

export interface TagInput {
  name: string;
  value: string;
}

/** Refusals of a replacement tag list; empty when it is acceptable. */
export function checkTags(tags: readonly TagInput[], path: string[]): UserError[] {
  if (tags.length > MAX_TAGS) return [userError("TOO_MANY_ITEMS", `A SIM carries at most ${MAX_TAGS} tags.`, path)];
  const errors: UserError[] = [];
  const seen = new Set<string>();
  tags.forEach((tag, i) => {
    const at = [...path, String(i)];
    if (tag.name.trim().length === 0 || tag.name.length > TAG_NAME_MAX) {
      errors.push(userError("INVALID_INPUT", `A tag name is 1 to ${TAG_NAME_MAX} characters, not blank.`, [...at, "name"]));
    } else if (seen.has(tag.name)) {
      errors.push(userError("INVALID_INPUT", `The tag "${tag.name}" is given twice.`, [...at, "name"]));
    }
    seen.add(tag.name);
    if (tag.value.length > TAG_VALUE_MAX) errors.push(userError("INVALID_INPUT", `A tag value is at most ${TAG_VALUE_MAX} characters.`, [...at, "value"]));
  });
  return errors;
}

export function checkName(name: string, path: string[]): UserError | null {
  return name.length > NAME_MAX ? userError("INVALID_INPUT", `A SIM name is at most ${NAME_MAX} characters.`, path) : null;
}
