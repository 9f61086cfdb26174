// S2–S8: what an operator does with its SIMs: register, change status, terminate (one or many),
// protect, set expiry, rename and tag.
import type { Context } from "../context.ts";
import type { Tx } from "../db/database.ts";
import { checkName, checkTags, MAX_BULK_SIMS, nameKeyOf, registrationDigest } from "../domain/sim-inventory.ts";
import { matchKey } from "../domain/match-key.ts";
import { judgeSetExpiry } from "../domain/sim-expiry.ts";
import { judgeAction, type SimAction } from "../domain/sim-status.ts";
import { tokyoDate } from "../domain/tokyo-time.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { lockedOwnSim, lockSims } from "../sims/lock.ts";
import type { Sim } from "../db/generated/sqlite/client.ts";
import { updateSimColumns } from "../sims/sim-update.ts";
import { applyActionToSims, errorCodesOf, type SimResult } from "../sims/bulk.ts";

export type { SimResult };
import { applyStatusChange, claimRegisteredSim, LISTED_FOREVER, terminationData } from "../sims/status-change.ts";
import { appendSimUpdated } from "../events/sim-events.ts";
import { changedSimFields } from "../sims/sim-changes.ts";
import { auditTargets, audited, type AuditDraft } from "../audit/audited.ts";
import { refuse, refuseIf } from "../db/refusal.ts";
import { builder } from "./builder.ts";
import { aboveRule } from "./input-bounds.ts";
import { globalIdOf, rowIdOf } from "../ids/global-id.ts";
import { ExpiryActionEnum, SimPayload, SimRef } from "./sim.ts";
import { lockNamedSims } from "./named-sims.ts";
import { judgeSimAccess, simReadScope } from "../auth/access.ts";
import { UserErrorRef } from "./user-error.ts";
import { batchLoad } from "./batch-load.ts";
import { timingSafeEqual } from "node:crypto";

const SIM_FIELD = ["input", "simId"];

/**
 * The caller's SIM named by a global ID, locked for the rest of the transaction; or a refusal:
 * NOT_FOUND also for a SIM the user may not read (U4), PERMISSION_DENIED when `action` is not allowed on it.
 * A caller whose reads U4 leaves whole gets the SIM and its lock in one hand-written statement
 * (O4); a narrower scope is the tenant client's to apply, after the lock.
 */
async function lockedSim(tx: Tx, ctx: Context, audit: AuditDraft, globalId: string, action: string, field = SIM_FIELD) {
  auditTargets(audit, "Sim", [globalId]);
  const id = rowIdOf("Sim", globalId);
  const viewer = ctx.viewer!;
  let sim: Sim | null = null;
  if (id && simReadScope(viewer) === null) sim = await lockedOwnSim(tx, ctx.provider, viewer.id, id);
  else if (id) {
    await lockSims(tx, ctx.provider, [id]);
    sim = await tx.sim.findUnique({ where: { id } });
  }
  if (!sim) refuse(userError("NOT_FOUND", "No such SIM.", field));
  const [denied] = await judgeSimAccess(tx, { principal: viewer.principal, action }, [sim], () => field);
  if (denied) refuse(denied);
  return sim as typeof sim & { operatorId: string };
}

/**
 * Whether lockedSim and the access judgement send no call through Prisma's client for this caller:
 * the operator itself (ROOT), whose reads U4 does not narrow and whose access needs no look-up. A
 * single-SIM change of such a caller that writes only columns then runs as a transaction of
 * hand-written statements (audited's `sqlOnly`).
 */
const lockedSimIsSql = (ctx: Context) => ctx.viewer?.principal.kind === "ROOT";

export const RegisterSimInput = builder.inputType("RegisterSimInput", {
  fields: (t) => ({
    imsi: t.string({ required: true, description: "The SIM's IMSI (15 digits)." }),
    registrationSecret: t.string({ required: true, description: "The secret delivered with the SIM." }),
  }),
});
const SimInput = builder.inputType("SimInput", { fields: (t) => ({ simId: t.id({ required: true, description: "The SIM." }) }) });
const TerminateSimsInput = builder.inputType("TerminateSimsInput", {
  fields: (t) => ({ simIds: t.idList({ required: true, description: `Up to ${MAX_BULK_SIMS.toLocaleString("en")} SIMs (TOO_MANY_ITEMS above).`, extensions: { maxItems: aboveRule(MAX_BULK_SIMS) } }) }),
});
const SetSimTerminationProtectionInput = builder.inputType("SetSimTerminationProtectionInput", {
  fields: (t) => ({ simId: t.id({ required: true, description: "The SIM." }), enabled: t.boolean({ required: true, description: "ON (true) or OFF." }) }),
});
const SetSimExpiryInput = builder.inputType("SetSimExpiryInput", {
  fields: (t) => ({
    simId: t.id({ required: true, description: "The SIM." }),
    expiresAt: t.field({ type: "DateTime", required: true, description: "In the future." }),
    action: t.field({ type: ExpiryActionEnum, required: true, description: "What happens then; TERMINATE needs protection OFF now." }),
  }),
});
export const SimTagInput = builder.inputType("SimTagInput", {
  fields: (t) => ({ name: t.string({ required: true, description: "Tag name, unique per SIM." }), value: t.string({ required: true, description: "Tag value." }) }),
});
const UpdateSimInput = builder.inputType("UpdateSimInput", {
  description: "Fields left out stay as they are; `tags` replaces every tag.",
  fields: (t) => ({
    simId: t.id({ required: true, description: "The SIM." }),
    name: t.string({ required: false, description: "New name; an empty string removes it." }),
    tags: t.field({ type: [SimTagInput], required: false, description: "Replaces every tag." }),
  }),
});

builder.mutationField("registerSim", (t) =>
  t.field({
    type: SimPayload,
    description: "Registers a provisioned SIM with its IMSI and registration secret; it starts READY with protection ON.",
    args: { input: t.arg({ type: RegisterSimInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "registerSim",
        async ({ tx, audit }) => {
          const invalid = userError("SIM_REGISTRATION_INVALID", "The IMSI and registration secret do not match a SIM.", ["input"]);
          if (input.imsi.length > 32 || input.registrationSecret.length > 256) refuse(invalid);
          // Inventory SIMs belong to no operator yet: this look-up is the platform's, not the tenant's.
          const sim = await tx.sim.findUnique({ where: { imsi: input.imsi } });
          const given = Buffer.from(registrationDigest(input.imsi, input.registrationSecret));
          if (!sim || !timingSafeEqual(given, Buffer.from(sim.registrationSecretHash))) refuse(invalid);
          audit.targetIds.push(globalIdOf("Sim", sim.id));
          const already = userError("SIM_ALREADY_REGISTERED", "This SIM is already registered.", ["input", "imsi"]);
          if (sim.operatorId !== null) refuse(already);
          // U4: a user's statements may narrow registration by IMSI (the SIM has no tags or group yet).
          const [denied] = await judgeSimAccess(tx, { principal: ctx.viewer!.principal, action: "Sim:registerSim" }, [sim], () => ["input", "imsi"]);
          if (denied) refuse(denied);
          const now = ctx.clock.now();
          const set = { registeredAt: now, ownedSince: tokyoDate(now), terminationProtected: true, listedUntil: LISTED_FOREVER };
          if (!(await claimRegisteredSim(tx, sim, ctx.viewer!.id, now, set, audit.actor))) refuse(already); // another operator registered it first
          return { sim };
        },
        { unscoped: true },
      ),
  }),
);

const statusMutations: [string, SimAction, string][] = [
  ["activateSim", "ACTIVATE", "Activates a SIM: READY, INACTIVE, STANDBY or SUSPENDED → ACTIVE (S3)."],
  ["deactivateSim", "DEACTIVATE", "Deactivates a SIM: READY, ACTIVE, STANDBY or SUSPENDED → INACTIVE (S3)."],
  ["setSimToStandby", "SET_TO_STANDBY", "Puts a SIM on standby: READY or INACTIVE → STANDBY; not on plan-D or plan-K (S3, S5)."],
  ["suspendSim", "SUSPEND", "Suspends a SIM: READY, ACTIVE, INACTIVE or STANDBY → SUSPENDED (S3, S5)."],
  ["terminateSim", "TERMINATE", "Terminates a SIM now, for good; refused while termination protection is ON (S6)."],
];

for (const [name, action, description] of statusMutations) {
  builder.mutationField(name, (t) =>
    t.field({
      type: SimPayload,
      description,
      args: { input: t.arg({ type: SimInput, required: true }) },
      resolve: (_root, { input }, ctx) =>
        audited(ctx, name, async ({ tx, audit }) => {
          const sim = await lockedSim(tx, ctx, audit, input.simId, `Sim:${name}`);
          const judged = judgeAction(sim, action);
          if (!judged.ok) refuse(judged.error);
          const now = ctx.clock.now();
          const extra = action === "TERMINATE" ? terminationData(sim, now, ctx.settings.terminatedRetentionDays) : {};
          await applyStatusChange(tx, sim, judged.transition, "OPERATOR", now, audit.actor, extra);
          return { sim };
        }),
    }),
  );
}

export const SimOperationResult = builder.objectRef<SimResult>("SimOperationResult").implement({
  description: "The outcome for one SIM of a bulk call.",
  fields: (t) => ({
    simId: t.exposeID("simId", { description: "The SIM as named in the input." }),
    sim: t.prismaField({
      type: "Sim",
      nullable: true,
      description: "The SIM after the call; null when it was not found (registration: when this call did not register it).",
      // A bulk payload names up to 1,000 SIMs: one findMany per chunk, not one statement per SIM.
      resolve: (query, r, _args, ctx) => (r.sim ? batchLoad<never>(ctx, "sim", query, r.sim.id) : null),
    }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty when it worked for this SIM.", resolve: (r) => r.userErrors }),
  }),
});

const TerminateSimsPayload = builder.objectRef<{ results?: SimResult[]; userErrors: UserError[] }>("TerminateSimsPayload").implement({
  description: "One result per SIM, in input order (S6); each SIM succeeds or fails on its own.",
  fields: (t) => ({
    results: t.field({ type: [SimOperationResult], description: "Per SIM, in input order.", resolve: (p) => p.results ?? [] }),
    userErrors: t.field({ type: [UserErrorRef], description: "Errors of the call as a whole (e.g. too many SIMs).", resolve: (p) => p.userErrors }),
  }),
});

builder.mutationField("terminateSims", (t) =>
  t.field({
    type: TerminateSimsPayload,
    description: `Terminates up to ${MAX_BULK_SIMS.toLocaleString("en")} SIMs; one result per SIM, in input order (S6). Set-based: a bounded number of statements whatever the count.`,
    args: { input: t.arg({ type: TerminateSimsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "terminateSims", async ({ tx, audit }) => {
        const named = await lockNamedSims(tx, ctx, audit, input.simIds, "Sim:terminateSims");
        const run = { operatorId: ctx.viewer!.id, at: ctx.clock.now(), retentionDays: ctx.settings.terminatedRetentionDays, actor: audit.actor };
        const { results, changed } = await applyActionToSims(tx, run, input.simIds, named, "TERMINATE");
        audit.partialErrorCodes = errorCodesOf(results);
        audit.allRefused = changed === 0;
        return { results };
      }),
  }),
);

builder.mutationField("setSimTerminationProtection", (t) =>
  t.field({
    type: SimPayload,
    description: "Turns termination protection ON or OFF (S6). An expiry with TERMINATE set earlier still applies (S7).",
    args: { input: t.arg({ type: SetSimTerminationProtectionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "setSimTerminationProtection", async ({ tx, audit }) => {
        const sim = await lockedSim(tx, ctx, audit, input.simId, "Sim:setSimTerminationProtection");
        if (sim.status === "TERMINATED") refuse(userError("SIM_TERMINATED", "The SIM is terminated (S6).", SIM_FIELD));
        if (sim.status === "TRANSFERRING") refuse(userError("SIM_TRANSFERRING", "The SIM is being transferred (T4).", SIM_FIELD));
        const written = await updateSimColumns(tx, ctx.provider, sim, { terminationProtected: input.enabled }, ctx.clock.now());
        if (sim.terminationProtected !== input.enabled) appendSimUpdated(tx, [sim], ["terminationProtected"], ctx.clock.now(), audit.actor);
        return { sim, written };
      }, { sqlOnly: lockedSimIsSql(ctx) }),
  }),
);

builder.mutationField("setSimExpiry", (t) =>
  t.field({
    type: SimPayload,
    description: "Sets (or replaces) a SIM's expiry (S7). The scheduler applies it within seconds of the time.",
    args: { input: t.arg({ type: SetSimExpiryInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "setSimExpiry", async ({ tx, audit }) => {
        const sim = await lockedSim(tx, ctx, audit, input.simId, "Sim:setSimExpiry");
        const now = ctx.clock.now();
        refuseIf(judgeSetExpiry(sim, input.expiresAt, input.action, now));
        const written = await updateSimColumns(tx, ctx.provider, sim, { expiresAt: input.expiresAt, expiryAction: input.action, expiryAppliedAt: null }, now);
        const same = sim.expiresAt?.getTime() === input.expiresAt.getTime() && sim.expiryAction === input.action && sim.expiryAppliedAt === null;
        if (!same) appendSimUpdated(tx, [sim], ["expiry"], now, audit.actor);
        return { sim, written };
      }, { sqlOnly: lockedSimIsSql(ctx) }),
  }),
);

builder.mutationField("clearSimExpiry", (t) =>
  t.field({
    type: SimPayload,
    description: "Removes a SIM's expiry (S7); sessions are accepted again.",
    args: { input: t.arg({ type: SimInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "clearSimExpiry", async ({ tx, audit }) => {
        const sim = await lockedSim(tx, ctx, audit, input.simId, "Sim:clearSimExpiry");
        if (sim.status === "TERMINATED") refuse(userError("SIM_TERMINATED", "The SIM is terminated (S6).", SIM_FIELD));
        if (sim.status === "TRANSFERRING") refuse(userError("SIM_TRANSFERRING", "The SIM is being transferred (T4).", SIM_FIELD));
        const written = await updateSimColumns(tx, ctx.provider, sim, { expiresAt: null, expiryAction: null, expiryAppliedAt: null }, ctx.clock.now());
        if (sim.expiresAt !== null) appendSimUpdated(tx, [sim], ["expiry"], ctx.clock.now(), audit.actor);
        return { sim, written };
      }, { sqlOnly: lockedSimIsSql(ctx) }),
  }),
);

builder.mutationField("updateSim", (t) =>
  t.field({
    type: SimPayload,
    description: "Renames a SIM and/or replaces its tags. Fields left out stay as they are.",
    args: { input: t.arg({ type: UpdateSimInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "updateSim", async ({ tx, audit }) => {
        refuseIf([input.name != null ? checkName(input.name, ["input", "name"]) : null, ...(input.tags ? checkTags(input.tags, ["input", "tags"]) : [])]);
        const sim = await lockedSim(tx, ctx, audit, input.simId, "Sim:updateSim");
        const name = input.name?.trim();
        const before = input.tags ? await tx.simTag.findMany({ where: { simId: sim.id }, select: { name: true, value: true } }) : [];
        const changed = changedSimFields({ name: sim.name, tags: before }, { name, tags: input.tags ?? undefined });
        const written = await updateSimColumns(tx, ctx.provider, sim, name !== undefined ? { name, nameKey: nameKeyOf(name) } : {}, ctx.clock.now());
        if (input.tags) {
          await tx.simTag.deleteMany({ where: { simId: sim.id } });
          await tx.simTag.createMany({ data: input.tags.map((tag) => ({ simId: sim.id, operatorId: ctx.viewer!.id, name: tag.name, value: tag.value, valueKey: matchKey(tag.value) })) });
        }
        appendSimUpdated(tx, [sim], changed, ctx.clock.now(), audit.actor);
        return { sim, written };
      }, { sqlOnly: lockedSimIsSql(ctx) && !input.tags }),
  }),
);

