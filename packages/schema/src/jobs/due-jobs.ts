// S7: due expiries (and T10 transfer expirations, E6 recovery requests, G2 group memberships of SIMs leaving listings), applied by the server's
// scheduler and by adminRunDueJobs alike. Each SIM's
// expiry is claimed with a conditional update, so with several servers on one database (or a
// restart halfway) every expiry is applied exactly once.
import type { Db, Provider } from "../db/database.ts";
import { eventTransaction } from "../events/append.ts";
import { appendSessionChanged, appendSimExpired } from "../events/sim-events.ts";
import { SYSTEM_ACTOR } from "../events/types.ts";
import { processAccountRecoveries } from "./account-recovery.ts";
import { endLapsedGroupMemberships } from "../groups/sim-groups.ts";
import { expiryEffect } from "../domain/sim-expiry.ts";
import { globalIdOf } from "../ids/global-id.ts";
import { lockSims } from "../sims/lock.ts";
import { applyStatusChange, terminationData } from "../sims/status-change.ts";
import { expireTransfer } from "../sims/transfer.ts";

export interface DueJobOptions {
  provider: Provider;
  terminatedRetentionDays: number;
  /** Most expiries one run applies; the next run takes the rest. */
  batchSize?: number;
}

export interface DueJobReport {
  expiriesApplied: number;
  transfersExpired: number;
  /** E6 requests that named a real operator (case opened, recovery address mailed). */
  accountRecoveries: number;
  /** G2, S9: SIMs taken out of their group as they left listings. */
  groupMembershipsEnded: number;
}

export async function runDueJobs(db: Db, now: Date, options: DueJobOptions): Promise<DueJobReport> {
  return {
    expiriesApplied: await applyDueExpiries(db, now, options),
    transfersExpired: await expireTransfers(db, now, options),
    accountRecoveries: await processAccountRecoveries(db, now, options.batchSize),
    groupMembershipsEnded: await endLapsedGroupMemberships(db, now, options.provider, options.batchSize),
  };
}

/** T10: pending transfers past their time end; their SIMs return to READY. */
async function expireTransfers(db: Db, now: Date, options: DueJobOptions): Promise<number> {
  const due = await db.simTransfer.findMany({
    where: { status: "PENDING", expiresAt: { lte: now } },
    select: { id: true },
    orderBy: { expiresAt: "asc" },
    take: options.batchSize ?? 500,
  });
  let expired = 0;
  for (const { id } of due) {
    const done = await eventTransaction(db, async (tx) => {
      const transfer = await expireTransfer(tx, options.provider, id, now, SYSTEM_ACTOR);
      if (!transfer) return false;
      await tx.auditLogEntry.create({
        data: {
          operatorId: transfer.sourceOperatorId,
          at: now,
          action: "expireSimTransfer",
          actor: "scheduler",
          targetIds: JSON.stringify([globalIdOf("SimTransfer", id)]),
          result: "SUCCEEDED",
          errorCodes: "[]",
        },
      });
      return true;
    }, { provider: options.provider });
    if (done) expired += 1;
  }
  return expired;
}

async function applyDueExpiries(db: Db, now: Date, options: DueJobOptions): Promise<number> {
  const due = await db.sim.findMany({
    where: { expiresAt: { lte: now }, expiryAppliedAt: null, operatorId: { not: null }, status: { not: "TERMINATED" } },
    select: { id: true },
    orderBy: { expiresAt: "asc" },
    take: options.batchSize ?? 500,
  });
  let applied = 0;
  for (const { id } of due) {
    const done = await eventTransaction(db, async (tx) => {
      await lockSims(tx, options.provider, [id]);
      const claimed = await tx.sim.updateMany({ where: { id, expiryAppliedAt: null, expiresAt: { lte: now } }, data: { expiryAppliedAt: now } });
      if (claimed.count !== 1) return false; // applied by another server, or changed meanwhile
      const sim = await tx.sim.findUniqueOrThrow({ where: { id } });
      if (!sim.operatorId || !sim.expiryAction) return false;
      const effect = expiryEffect(sim.status, sim.expiryAction);
      const cut = effect.cutSession ? { sessionOnline: false } : {};
      const owned = { id, operatorId: sim.operatorId, imsi: sim.imsi };
      // V1: the expiry whatever its action, then what it did (session cut, status change).
      appendSimExpired(tx, owned, sim.expiryAction, now, SYSTEM_ACTOR);
      if (effect.cutSession && sim.sessionOnline) appendSessionChanged(tx, owned, false, now, SYSTEM_ACTOR);
      if (effect.transition) {
        const extra = effect.transition.to === "TERMINATED" ? terminationData(sim, now, options.terminatedRetentionDays) : cut;
        await applyStatusChange(tx, owned, effect.transition, "EXPIRY", now, SYSTEM_ACTOR, extra);
      } else if (effect.cutSession) {
        await tx.sim.update({ where: { id }, data: cut });
      }
      await tx.auditLogEntry.create({
        data: {
          operatorId: sim.operatorId,
          at: now,
          action: "applySimExpiry",
          actor: "scheduler",
          targetIds: JSON.stringify([globalIdOf("Sim", id)]),
          result: "SUCCEEDED",
          errorCodes: "[]",
        },
      });
      return true;
    }, { provider: options.provider });
    if (done) applied += 1;
  }
  return applied;
}
