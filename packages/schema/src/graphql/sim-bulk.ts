// S11: the bulk forms of the SIM calls. Each resolver names the SIMs (lockNamedSims), hands them to
// sims/bulk.ts, and records one audit entry for the call with every per-SIM refusal code.
import type { SimAction } from "../domain/sim-status.ts";
import type { Context } from "../context.ts";
import { audited, type AuditDraft } from "../audit/audited.ts";
import { refuseIf } from "../db/refusal.ts";
import { MAX_BULK_SIMS } from "../domain/sim-inventory.ts";
import type { UserError } from "../domain/user-error.ts";
import { addTagsToSims, applyActionToSims, checkAddedTags, checkTagNames, errorCodesOf, registerSims, removeTagsFromSims, type BulkOutcome, type SimResult } from "../sims/bulk.ts";
import { builder } from "./builder.ts";
import { aboveRule } from "./input-bounds.ts";
import { lockNamedSims } from "./named-sims.ts";
import { SimActionEnum } from "./sim.ts";
import { RegisterSimInput, SimOperationResult, SimTagInput } from "./sim-lifecycle.ts";
import { UserErrorRef } from "./user-error.ts";

const UP_TO = `Up to ${MAX_BULK_SIMS.toLocaleString("en")} SIMs (TOO_MANY_ITEMS above).`;
const bulkBound = { maxItems: aboveRule(MAX_BULK_SIMS) };

const RegisterSimsInput = builder.inputType("RegisterSimsInput", {
  fields: (t) => ({ sims: t.field({ type: [RegisterSimInput], required: true, description: UP_TO, extensions: bulkBound }) }),
});
const ApplySimActionInput = builder.inputType("ApplySimActionInput", {
  fields: (t) => ({
    simIds: t.idList({ required: true, description: UP_TO, extensions: bulkBound }),
    action: t.field({ type: SimActionEnum, required: true, description: "The action, judged per SIM as its single mutation judges it (S3, S6)." }),
  }),
});
const AddSimTagsInput = builder.inputType("AddSimTagsInput", {
  fields: (t) => ({
    simIds: t.idList({ required: true, description: UP_TO, extensions: bulkBound }),
    tags: t.field({ type: [SimTagInput], required: true, description: "Added to each SIM; a tag of the same name is replaced, other tags stay." }),
  }),
});
const RemoveSimTagsInput = builder.inputType("RemoveSimTagsInput", {
  fields: (t) => ({
    simIds: t.idList({ required: true, description: UP_TO, extensions: bulkBound }),
    names: t.stringList({ required: true, description: "Names of the tags to remove; a SIM without one is no error." }),
  }),
});

const SimBulkPayload = builder.objectRef<{ results?: SimResult[]; userErrors: UserError[] }>("SimBulkPayload").implement({
  description: "One result per SIM, in input order (S11); each SIM succeeds or fails on its own.",
  fields: (t) => ({
    results: t.field({ type: [SimOperationResult], description: "Per SIM, in input order.", resolve: (p) => p.results ?? [] }),
    userErrors: t.field({ type: [UserErrorRef], description: "Errors of the call as a whole (e.g. too many SIMs); then nothing changed.", resolve: (p) => p.userErrors }),
  }),
});

/** One audit entry for the call: SUCCEEDED when any SIM changed, with every SIM's refusal code. */
function recordOutcome(audit: AuditDraft, outcome: BulkOutcome): { results: SimResult[] } {
  audit.partialErrorCodes = errorCodesOf(outcome.results);
  audit.allRefused = outcome.changed === 0 && outcome.results.length > 0;
  return { results: outcome.results };
}

const tagRun = (ctx: Context, actor: string) => ({ provider: ctx.provider, operatorId: ctx.viewer!.id, at: ctx.clock.now(), actor });

builder.mutationField("registerSims", (t) =>
  t.field({
    type: SimBulkPayload,
    description: "S11: registers up to 1,000 SIMs; one result per SIM, in input order.",
    args: { input: t.arg({ type: RegisterSimsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "registerSims",
        async ({ tx, audit }) => recordOutcome(audit, await registerSims(tx, { operatorId: ctx.viewer!.id, at: ctx.clock.now(), access: { principal: ctx.viewer!.principal, action: "Sim:registerSims" }, actor: audit.actor }, input.sims, audit)),
        // Inventory SIMs belong to no operator yet, as for registerSim.
        { unscoped: true },
      ),
  }),
);

/** The permission of the single call each SimAction stands for (sim-lifecycle.ts). */
const SINGLE_CALL_ACTION: Record<SimAction, string> = {
  ACTIVATE: "Sim:activateSim",
  DEACTIVATE: "Sim:deactivateSim",
  SET_TO_STANDBY: "Sim:setSimToStandby",
  SUSPEND: "Sim:suspendSim",
  TERMINATE: "Sim:terminateSim",
};

builder.mutationField("applySimAction", (t) =>
  t.field({
    type: SimBulkPayload,
    description: "S11: the same status action on up to 1,000 SIMs; one result per SIM, in input order.",
    args: { input: t.arg({ type: ApplySimActionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "applySimAction", async ({ tx, audit }) => {
        // U4, S11: each SIM is judged by the single call's permission too (applySimAction with
        // TERMINATE needs Sim:terminateSim on that SIM), so a DENY on the single call holds here.
        const named = await lockNamedSims(tx, ctx, audit, input.simIds, SINGLE_CALL_ACTION[input.action]);
        const run = { operatorId: ctx.viewer!.id, at: ctx.clock.now(), retentionDays: ctx.settings.terminatedRetentionDays, actor: audit.actor };
        return recordOutcome(audit, await applyActionToSims(tx, run, input.simIds, named, input.action));
      }),
  }),
);

builder.mutationField("addSimTags", (t) =>
  t.field({
    type: SimBulkPayload,
    description: "S11: adds the tags (replacing a tag of the same name) on up to 1,000 SIMs, leaving their other tags alone.",
    args: { input: t.arg({ type: AddSimTagsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "addSimTags", async ({ tx, audit }) => {
        refuseIf(checkAddedTags(input.tags));
        const named = await lockNamedSims(tx, ctx, audit, input.simIds, "Sim:addSimTags");
        return recordOutcome(audit, await addTagsToSims(tx, tagRun(ctx, audit.actor), input.simIds, named, input.tags));
      }),
  }),
);

builder.mutationField("removeSimTags", (t) =>
  t.field({
    type: SimBulkPayload,
    description: "S11: removes the named tags from up to 1,000 SIMs.",
    args: { input: t.arg({ type: RemoveSimTagsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "removeSimTags", async ({ tx, audit }) => {
        refuseIf(checkTagNames(input.names));
        const named = await lockNamedSims(tx, ctx, audit, input.simIds, "Sim:removeSimTags");
        return recordOutcome(audit, await removeTagsFromSims(tx, tagRun(ctx, audit.actor), input.simIds, named, input.names));
      }),
  }),
);
