// "Bad input changes nothing": a snapshot of every table's rows to compare before and after.
// The tables come from the Prisma datamodel (the generated client's ModelName), so a new model is
// covered the day it is added; only the exclusions below, each with its reason, are left out.
import type { Db } from "@simgate/schema/db/database";
import { modelNames, type ModelName } from "@simgate/schema/db/models";

/** Models a refused request may write by design. */
export const SNAPSHOT_EXCLUSIONS: Readonly<Partial<Record<ModelName, string>>> = {
  // O6: every mutation is audited, refusals included.
  AuditLogEntry: "refusals are audited by design (O6)",
  // A refused request still spends its budget: counters are written before the request executes,
  // or a caller could probe (passwords, tokens) for free as long as each try is refused.
  RateLimitCounter: "a refused request counts against its rate limit (written before execution)",
  // P4: a retry with the same Idempotency-Key must get the same answer, a refusal included, so
  // the first answer is stored whatever it was.
  IdempotencyRecord: "a keyed request's answer, a refusal included, is stored for its retries (P4)",
};

/** Every model the snapshot reads. */
export const SNAPSHOT_MODELS: readonly ModelName[] = modelNames.filter((m) => !(m in SNAPSHOT_EXCLUSIONS));

const delegate = (db: Db, model: ModelName) =>
  (db as unknown as Record<string, { findMany(): Promise<unknown[]> }>)[model[0]!.toLowerCase() + model.slice(1)]!;

/** Every row of every table but the exclusions above. */
export async function snapshot(db: Db): Promise<string> {
  const parts: Record<string, string[]> = {};
  for (const model of SNAPSHOT_MODELS) {
    // Sorted as text: composite and non-`id` keys (SimCount, RateLimitCounter) need no special case.
    // BIGINT columns (event sequences) as their digits.
    parts[model] = (await delegate(db, model).findMany()).map((row) => JSON.stringify(row, (_key, value: unknown) => (typeof value === "bigint" ? String(value) : value))).sort();
  }
  return JSON.stringify(parts);
}
