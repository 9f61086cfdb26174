// O5: what the platform does to SIMs: provision inventory, report network sessions (S4), and run
// due jobs on demand (S7).
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { runDueJobs } from "../jobs/due-jobs.ts";
import { checkProvisionItem, MAX_PROVISION_BATCH, registrationDigest, searchTextOf } from "../domain/sim-inventory.ts";
import { judgeSessionOpen } from "../domain/sim-session.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { PARAMS_PER_CHUNK } from "../db/chunks.ts";
import { lockSims } from "../sims/lock.ts";
import { applyStatusChange, LISTED_FOREVER } from "../sims/status-change.ts";
import { appendSessionChanged } from "../events/sim-events.ts";
import { SYSTEM_ACTOR } from "../events/types.ts";
import { audited } from "../audit/audited.ts";
import { refuse } from "../db/refusal.ts";
import { builder } from "./builder.ts";
import { aboveRule } from "./input-bounds.ts";
import { globalIdOf } from "../ids/global-id.ts";
import { CoverageEnum, SimPayload } from "./sim.ts";
import { UserErrorRef } from "./user-error.ts";

const ProvisionSimInput = builder.inputType("ProvisionSimInput", {
  fields: (t) => ({
    imsi: t.string({ required: true, description: "15 digits." }),
    iccid: t.string({ required: true, description: "19 or 20 digits." }),
    msisdn: t.string({ required: false, description: "8 to 15 digits." }),
    subscription: t.string({ required: true, description: "Plan, e.g. plan01s." }),
    coverage: t.field({ type: CoverageEnum, required: true, description: "GLOBAL or JAPAN." }),
    registrationSecret: t.string({ required: true, description: "8 to 128 characters; the operator registers the SIM with it." }),
  }),
});
const AdminProvisionSimsInput = builder.inputType("AdminProvisionSimsInput", {
  fields: (t) => ({ sims: t.field({ type: [ProvisionSimInput], required: true, description: `Up to ${MAX_PROVISION_BATCH.toLocaleString("en")} SIMs (TOO_MANY_ITEMS above).`, extensions: { maxItems: aboveRule(MAX_PROVISION_BATCH) } }) }),
});
const AdminProvisionSimsPayload = builder.objectRef<{ provisionedCount?: number; userErrors: UserError[] }>("AdminProvisionSimsPayload").implement({
  description: "How many SIMs entered the inventory; the refused ones are listed with their input path.",
  fields: (t) => ({
    provisionedCount: t.int({ description: "SIMs added.", resolve: (p) => p.provisionedCount ?? 0 }),
    userErrors: t.field({ type: [UserErrorRef], description: "One per refused SIM (or one for the whole call).", resolve: (p) => p.userErrors }),
  }),
});
const AdminReportSessionInput = builder.inputType("AdminReportSessionInput", {
  fields: (t) => ({ imsi: t.string({ required: true, description: "The SIM's IMSI." }), online: t.boolean({ required: true, description: "Opened (true) or closed." }) }),
});
const AdminRunDueJobsPayload = builder.objectRef<{ expiriesApplied?: number; transfersExpired?: number; userErrors: UserError[] }>("AdminRunDueJobsPayload").implement({
  description: "What the run applied.",
  fields: (t) => ({
    expiriesApplied: t.int({ description: "Expiries applied (S7).", resolve: (p) => p.expiriesApplied ?? 0 }),
    transfersExpired: t.int({ description: "Transfers expired (T10).", resolve: (p) => p.transfersExpired ?? 0 }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

// An IMSI+ICCID look-up binds two parameters per SIM (see db/chunks.ts).
const LOOKUP_CHUNK = PARAMS_PER_CHUNK / 2;
const INSERT_CHUNK = 50;

builder.mutationField("adminProvisionSims", (t) =>
  t.field({
    type: AdminProvisionSimsPayload,
    description: `Administrator only (O5): adds up to ${MAX_PROVISION_BATCH.toLocaleString("en")} SIMs to the inventory. Malformed or duplicate SIMs are refused one by one; the rest are added.`,
    args: { input: t.arg({ type: AdminProvisionSimsInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "adminProvisionSims",
        async ({ tx }) => {
          const items = input.sims;
          if (items.length > MAX_PROVISION_BATCH) refuse(userError("TOO_MANY_ITEMS", `At most ${MAX_PROVISION_BATCH} SIMs per call.`, ["input", "sims"]));
          const errors: UserError[] = [];
          const path = (i: number) => ["input", "sims", String(i)];
          const seenImsi = new Set<string>();
          const seenIccid = new Set<string>();
          const candidates: number[] = [];
          items.forEach((item, i) => {
            const problems = checkProvisionItem(item, path(i));
            if (problems.length === 0 && (seenImsi.has(item.imsi) || seenIccid.has(item.iccid))) {
              problems.push(userError("INVALID_INPUT", "This IMSI or ICCID appears earlier in the batch.", path(i)));
            }
            seenImsi.add(item.imsi);
            seenIccid.add(item.iccid);
            if (problems.length > 0) errors.push(...problems);
            else candidates.push(i);
          });
          const existing = new Set<string>();
          for (let start = 0; start < candidates.length; start += LOOKUP_CHUNK) {
            const chunk = candidates.slice(start, start + LOOKUP_CHUNK).map((i) => items[i]!);
            const found = await tx.sim.findMany({
              where: { OR: [{ imsi: { in: chunk.map((s) => s.imsi) } }, { iccid: { in: chunk.map((s) => s.iccid) } }] },
              select: { imsi: true, iccid: true },
            });
            for (const f of found) existing.add(`imsi:${f.imsi}`).add(`iccid:${f.iccid}`);
          }
          const fresh = candidates.filter((i) => {
            const item = items[i]!;
            if (existing.has(`imsi:${item.imsi}`) || existing.has(`iccid:${item.iccid}`)) {
              errors.push(userError("INVALID_INPUT", "A SIM with this IMSI or ICCID is already provisioned.", path(i)));
              return false;
            }
            return true;
          });
          for (let start = 0; start < fresh.length; start += INSERT_CHUNK) {
            await tx.sim.createMany({
              data: fresh.slice(start, start + INSERT_CHUNK).map((i) => {
                const s = items[i]!;
                return {
                  imsi: s.imsi,
                  iccid: s.iccid,
                  msisdn: s.msisdn ?? null,
                  subscription: s.subscription,
                  coverage: s.coverage,
                  registrationSecretHash: registrationDigest(s.imsi, s.registrationSecret),
                  searchText: searchTextOf({ imsi: s.imsi, iccid: s.iccid, msisdn: s.msisdn ?? null }),
                  listedUntil: LISTED_FOREVER,
                };
              }),
            });
            // Prisma builds each insert on this thread (about a millisecond per row): other
            // requests run between the chunks.
            await yieldToEventLoop();
          }
          return { provisionedCount: fresh.length, itemErrors: errors };
        },
        { unscoped: true },
      ).then(({ itemErrors, ...payload }) => ({ ...payload, userErrors: [...payload.userErrors, ...(itemErrors ?? [])] })),
  }),
);

builder.mutationField("adminReportSession", (t) =>
  t.field({
    type: SimPayload,
    description:
      "Administrator only (O5): a network session opened (or closed) on a SIM (S4). Opening makes a READY or STANDBY SIM " +
      "ACTIVE; it is refused on INACTIVE, SUSPENDED and TERMINATED SIMs and on SIMs past their expiry time.",
    args: { input: t.arg({ type: AdminReportSessionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "adminReportSession",
        async ({ tx, audit }) => {
          const field = ["input", "imsi"];
          const found = input.imsi.length <= 32 ? await tx.sim.findUnique({ where: { imsi: input.imsi }, select: { id: true } }) : null;
          if (found) await lockSims(tx, ctx.provider, [found.id]);
          const sim = found ? await tx.sim.findUnique({ where: { id: found.id } }) : null;
          if (!sim || !sim.operatorId) refuse(userError("NOT_FOUND", "No registered SIM has this IMSI.", field));
          audit.operatorId = sim.operatorId;
          audit.actor = "platform";
          audit.targetIds.push(globalIdOf("Sim", sim.id));
          const now = ctx.clock.now();
          const owned = { id: sim.id, operatorId: sim.operatorId, imsi: sim.imsi };
          if (!input.online) {
            await tx.sim.update({ where: { id: sim.id }, data: { sessionOnline: false } });
            if (sim.sessionOnline) appendSessionChanged(tx, owned, false, now, SYSTEM_ACTOR);
            return { sim };
          }
          const outcome = judgeSessionOpen(sim, now);
          if (!outcome.ok) refuse(outcome.error);
          // V1: the session, then the status change it caused (S4).
          if (!sim.sessionOnline) appendSessionChanged(tx, owned, true, now, SYSTEM_ACTOR);
          if (outcome.transition) {
            await applyStatusChange(tx, owned, outcome.transition, "NETWORK_SESSION", now, SYSTEM_ACTOR, { sessionOnline: true });
          } else {
            await tx.sim.update({ where: { id: sim.id }, data: { sessionOnline: true } });
          }
          return { sim };
        },
        { unscoped: true },
      ),
  }),
);

builder.mutationField("adminRunDueJobs", (t) =>
  t.field({
    type: AdminRunDueJobsPayload,
    description: "Applies every due expiry and transfer expiration now; the scheduler does the same on its own.",
    resolve: async (_root, _args, ctx) => {
      const report = await runDueJobs(ctx.unscopedDb, ctx.clock.now(), {
        provider: ctx.provider,
        terminatedRetentionDays: ctx.settings.terminatedRetentionDays,
        batchSize: 100_000,
      });
      return { ...report, userErrors: [] };
    },
  }),
);
