// S11: the bulk forms of the SIM calls. Each SIM is judged by the single call's own rule
// (domain/sim-status.ts, domain/sim-inventory.ts) and answers on its own; the SIMs that pass are
// written together, set-based: statements grow with the number of chunks, never with the SIMs.
// The caller has locked and loaded the named SIMs (graphql/named-sims.ts) inside its transaction.
import { appendSimUpdated } from "../events/sim-events.ts";
import { judgeSimAccess, type SimAccess } from "../auth/access.ts";
import { timingSafeEqual } from "node:crypto";
import type { AuditDraft } from "../audit/audited.ts";
import { chunked } from "../db/chunks.ts";
import type { Provider, Tx } from "../db/database.ts";
import type { Sim } from "../db/generated/sqlite/client.ts";
import { refuse } from "../db/refusal.ts";
import { matchKey } from "../domain/match-key.ts";
import { checkTags, MAX_BULK_SIMS, MAX_TAGS, registrationDigest, TAG_NAME_MAX, type TagInput } from "../domain/sim-inventory.ts";
import { judgeAction, type SimAction } from "../domain/sim-status.ts";
import { tokyoDate } from "../domain/tokyo-time.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { globalIdOf } from "../ids/global-id.ts";
import type { NamedSim } from "./named-sims.ts";
import { applyStatusChanges, claimRegisteredSims, LISTED_FOREVER, terminationData } from "./status-change.ts";

/** One SIM's outcome, at its input position. */
export interface SimResult {
  /** The SIM as the input named it: its global ID, or for registration its IMSI. */
  simId: string;
  sim: { id: string } | null;
  userErrors: UserError[];
}

export interface BulkOutcome {
  results: SimResult[];
  /** How many SIMs were changed. */
  changed: number;
}

/** Every per-SIM refusal code, in input order: the audit entry keeps them (partialErrorCodes). */
export function errorCodesOf(results: readonly SimResult[]): string[] {
  return results.flatMap((r) => r.userErrors.map((e) => e.code));
}

const simsField = (i: number) => ["input", "simIds", String(i)];

/** Splits the named SIMs into results for the refused ones and the list of those that may go on. */
function sortOut(simIds: readonly string[], named: readonly NamedSim[], judge: (sim: Sim, i: number) => UserError | null) {
  const passed: Sim[] = [];
  const results: SimResult[] = named.map(({ sim, error }, i) => {
    const simId = simIds[i]!;
    const refusal = error ?? judge(sim!, i);
    if (refusal) return { simId, sim: sim ?? null, userErrors: [refusal] };
    passed.push(sim!);
    return { simId, sim: sim!, userErrors: [] };
  });
  return { passed, results };
}

export interface ActionRun {
  operatorId: string;
  at: Date;
  /** S9: how long a terminated SIM stays listed. */
  retentionDays: number;
  /** V1: who acts, for the events. */
  actor: string;
}

/** S3, S6, S8: the single status calls' judgement per SIM, then one set-based write of all that pass. */
export async function applyActionToSims(tx: Tx, run: ActionRun, simIds: readonly string[], named: readonly NamedSim[], action: SimAction): Promise<BulkOutcome> {
  const judged = new Map<string, ReturnType<typeof judgeAction>>();
  const { passed, results } = sortOut(simIds, named, (sim, i) => {
    const judgement = judgeAction(sim, action, simsField(i));
    judged.set(sim.id, judgement);
    return judgement.ok ? null : judgement.error;
  });
  await applyStatusChanges(
    tx,
    passed.map((sim) => {
      const judgement = judged.get(sim.id)!;
      if (!judgement.ok) throw new Error("a refused SIM cannot be written");
      const set = action === "TERMINATE" ? terminationData(sim, run.at, run.retentionDays) : undefined;
      return { id: sim.id, operatorId: run.operatorId, imsi: sim.imsi, ...judgement.transition, set };
    }),
    "OPERATOR",
    run.at,
    { actor: run.actor },
  );
  return { results, changed: passed.length };
}

export interface RegistrationItem {
  imsi: string;
  registrationSecret: string;
}

/**
 * S1 registration of many SIMs, each judged as registerSim judges one: an unknown IMSI and a wrong
 * secret look the same (SIM_REGISTRATION_INVALID); a SIM with an owner, or claimed meanwhile by a
 * concurrent registration, is SIM_ALREADY_REGISTERED; an IMSI given twice is refused the second time.
 * Runs outside the tenant's scope: inventory SIMs belong to no operator yet.
 */
export async function registerSims(tx: Tx, run: { operatorId: string; at: Date; access: SimAccess; actor: string }, items: readonly RegistrationItem[], audit: AuditDraft): Promise<BulkOutcome> {
  if (items.length > MAX_BULK_SIMS) refuse(userError("TOO_MANY_ITEMS", `At most ${MAX_BULK_SIMS} SIMs per call.`, ["input", "sims"]));
  const plausible = items.filter((item) => item.imsi.length <= 32 && item.registrationSecret.length <= 256).map((item) => item.imsi);
  const byImsi = new Map<string, Sim>();
  for (const part of chunked([...new Set(plausible)], 250)) for (const sim of await tx.sim.findMany({ where: { imsi: { in: part } } })) byImsi.set(sim.imsi, sim);

  const seen = new Set<string>();
  const wanted: Sim[] = [];
  const slots = items.map((item, i) => {
    const path = ["input", "sims", String(i)];
    const sim = item.imsi.length <= 32 && item.registrationSecret.length <= 256 ? byImsi.get(item.imsi) : undefined;
    const given = Buffer.from(registrationDigest(item.imsi, item.registrationSecret));
    const stored = sim ? Buffer.from(sim.registrationSecretHash) : null;
    if (!sim || !stored || stored.length !== given.length || !timingSafeEqual(given, stored)) {
      return { sim: null, error: userError("SIM_REGISTRATION_INVALID", "The IMSI and registration secret do not match a SIM.", path) };
    }
    audit.targetIds.push(globalIdOf("Sim", sim.id));
    if (seen.has(sim.id)) return { sim, error: userError("INVALID_INPUT", "This SIM is named twice.", [...path, "imsi"]) };
    seen.add(sim.id);
    if (sim.operatorId !== null) return { sim, error: alreadyRegistered(path) };
    return { sim, error: null as UserError | null };
  });
  // U4: a user registers only SIMs its statements allow (by IMSI), judged as registerSim judges.
  const denied = await judgeSimAccess(tx, run.access, slots.map((s) => (s.error ? undefined : s.sim!)), (i) => ["input", "sims", String(i)]);
  slots.forEach((slot, i) => {
    if (denied[i]) slot.error = denied[i];
    else if (!slot.error) wanted.push(slot.sim!);
  });

  const set = { registeredAt: run.at, ownedSince: tokyoDate(run.at), terminationProtected: true, listedUntil: LISTED_FOREVER };
  const claimed = await claimRegisteredSims(tx, wanted, run.operatorId, run.at, set, run.actor);
  // Named by IMSI, as the input names them; the SIM itself only where this call registered it.
  const results = slots.map(({ sim, error }, i): SimResult => {
    const simId = items[i]!.imsi;
    if (error) return { simId, sim: null, userErrors: [error] };
    // Judged free, but another registration committed first (the claim is conditional).
    if (!claimed.has(sim!.id)) return { simId, sim: null, userErrors: [alreadyRegistered(["input", "sims", String(i)])] };
    return { simId, sim, userErrors: [] };
  });
  return { results, changed: claimed.size };
}

function alreadyRegistered(path: string[]): UserError {
  return userError("SIM_ALREADY_REGISTERED", "This SIM is already registered.", [...path, "imsi"]);
}

/** The tag list updateSim would refuse, refused for the whole call the same way. */
export function checkAddedTags(tags: readonly TagInput[]): UserError[] {
  return checkTags(tags, ["input", "tags"]);
}

/** Tag names to remove: the same shape a tag name must have. */
export function checkTagNames(names: readonly string[]): UserError[] {
  return names.flatMap((name, i) =>
    name.trim().length === 0 || name.length > TAG_NAME_MAX ? [userError("INVALID_INPUT", `A tag name is 1 to ${TAG_NAME_MAX} characters, not blank.`, ["input", "names", String(i)])] : [],
  );
}

export interface TagRun {
  provider: Provider;
  operatorId: string;
  at: Date;
  /** V1: who acts, for the SIM_UPDATED events. */
  actor: string;
}

// SIM IDs per statement: with 50 tags of three values each, 400 parameters per statement, well
// inside SQLite's limit, and a short IN list for the planner.
const TAG_CHUNK = 250;

/**
 * S11 addSimTags: merges by tag name. Per SIM, the single call's rule is updateSim's: a SIM it
 * finds may be tagged whatever its status, and the SIM's tags after the call must pass checkTags
 * (at most MAX_TAGS). The write is one upsert per chunk, keyed (simId, name), so a concurrent
 * call adding other names to the same SIMs keeps its tags and this one keeps its own.
 */
export async function addTagsToSims(tx: Tx, run: TagRun, simIds: readonly string[], named: readonly NamedSim[], tags: readonly TagInput[]): Promise<BulkOutcome> {
  const names = tags.map((t) => t.name);
  // Per SIM, the tags that stay besides the added ones (counted, not loaded).
  const kept = new Map<string, number>();
  const found = [...new Set(named.flatMap(({ sim, error }) => (sim && !error ? [sim.id] : [])))];
  for (const part of chunked(found, TAG_CHUNK)) {
    const counts = await tx.simTag.groupBy({ by: ["simId"], where: { simId: { in: part }, name: { notIn: names } }, _count: { _all: true } });
    for (const c of counts) kept.set(c.simId, c._count._all);
  }
  const { passed, results } = sortOut(simIds, named, (sim, i) => {
    const total = (kept.get(sim.id) ?? 0) + tags.length;
    return total > MAX_TAGS ? userError("TOO_MANY_ITEMS", `A SIM carries at most ${MAX_TAGS} tags; this one would carry ${total}.`, simsField(i)) : null;
  });
  if (passed.length > 0 && tags.length > 0) {
    const ids = passed.map((s) => s.id);
    for (const part of chunked(ids, TAG_CHUNK)) await upsertTags(tx, run, part, tags);
  }
  await touch(tx, passed, run.at);
  appendSimUpdated(tx, passed.map((s) => ({ id: s.id, imsi: s.imsi, operatorId: run.operatorId })), ["tags"], run.at, run.actor);
  return { results, changed: passed.length };
}

/** S11 removeSimTags: deletes the named tags (absent ones are no error); the rule per SIM is updateSim's. */
export async function removeTagsFromSims(tx: Tx, run: TagRun, simIds: readonly string[], named: readonly NamedSim[], names: readonly string[]): Promise<BulkOutcome> {
  const { passed, results } = sortOut(simIds, named, () => null);
  const distinct = [...new Set(names)];
  if (distinct.length > 0) {
    for (const part of chunked(passed.map((s) => s.id), TAG_CHUNK)) await tx.simTag.deleteMany({ where: { simId: { in: part }, name: { in: distinct } } });
  }
  await touch(tx, passed, run.at);
  appendSimUpdated(tx, passed.map((s) => ({ id: s.id, imsi: s.imsi, operatorId: run.operatorId })), ["tags"], run.at, run.actor);
  return { results, changed: passed.length };
}

/** The SIMs were edited (updatedAt), as updateSim marks them. */
async function touch(tx: Tx, sims: readonly Sim[], at: Date): Promise<void> {
  for (const part of chunked(sims.map((s) => s.id))) await tx.sim.updateMany({ where: { id: { in: part } }, data: { updatedAt: at } });
}

/**
 * One INSERT … SELECT … ON CONFLICT for every (SIM, tag) pair of the chunk, on both engines: the
 * tags travel once as a VALUES list (its columns are column1.. on both), crossed with the SIMs.
 * Raw SQL passes the tenant client by, so the SIMs must also be the operator's here.
 */
async function upsertTags(tx: Tx, run: TagRun, simIds: readonly string[], tags: readonly TagInput[]): Promise<void> {
  const params: unknown[] = [];
  const p = (value: unknown) => {
    params.push(value);
    return run.provider === "postgresql" ? `CAST($${params.length} AS TEXT)` : "CAST(? AS TEXT)";
  };
  const values = tags.map((t) => `(${p(t.name)}, ${p(t.value)}, ${p(matchKey(t.value))})`).join(", ");
  const operator = p(run.operatorId);
  const ids = simIds.map((id) => p(id)).join(", ");
  // Row IDs only need to be unique; each engine makes a random UUID in the statement.
  const newId = run.provider === "postgresql" ? "gen_random_uuid()::text" : SQLITE_UUID;
  await tx.$executeRawUnsafe(
    `INSERT INTO "SimTag" ("id", "simId", "operatorId", "name", "value", "valueKey")
     SELECT ${newId}, s."id", s."operatorId", t.column1, t.column2, t.column3
     FROM "Sim" s CROSS JOIN (VALUES ${values}) AS t
     WHERE s."operatorId" = ${operator} AND s."id" IN (${ids})
     ON CONFLICT ("simId", "name") DO UPDATE SET "value" = excluded."value", "valueKey" = excluded."valueKey"`,
    ...params,
  );
}

// A version-4 UUID from SQLite's randomblob; each call is evaluated per row.
const SQLITE_UUID =
  "lower(hex(randomblob(4)) || '-' || hex(randomblob(2)) || '-4' || substr(hex(randomblob(2)), 2) || '-' || " +
  "substr('89ab', 1 + (abs(random()) % 4), 1) || substr(hex(randomblob(2)), 2) || '-' || hex(randomblob(6)))";
