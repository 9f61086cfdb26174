// Every status change of a SIM goes through here: the SIM row and its history entry together.
import type { Tx } from "../db/database.ts";
import type { SimStatusChangeCause } from "../db/generated/sqlite/enums.ts";
import type { Transition } from "../domain/sim-status.ts";
import type { Prisma } from "../db/generated/sqlite/client.ts";

export interface ChangeTarget {
  id: string;
  /** The SIM's owner now: history entries belong to it (a transfer's destination never sees them). */
  operatorId: string;
}

/** Writes the change; callers lock the SIM first (lockSims) and judge it on what they read. */
export async function changeStatus(
  tx: Tx,
  sim: ChangeTarget,
  transition: Transition,
  cause: SimStatusChangeCause,
  at: Date,
  extra: Prisma.SimUpdateInput = {},
): Promise<void> {
  await tx.sim.update({ where: { id: sim.id }, data: { status: transition.to, ...extra } });
  await tx.simStatusChange.create({
    data: { simId: sim.id, operatorId: sim.operatorId, from: transition.from, to: transition.to, at, cause, reactivation: transition.reactivation },
  });
}

/** What termination sets besides the status (S6, S8, S9). */
export function terminationData(sim: { coverage: string }, at: Date, retentionDays: number): Prisma.SimUpdateInput {
  return {
    terminatedAt: at,
    sessionOnline: false,
    returnRequired: sim.coverage === "JAPAN",
    listedUntil: new Date(at.getTime() + retentionDays * 86_400_000),
  };
}

/** Listings show a SIM until this instant: far in the future until it is terminated (S9). */
export const LISTED_FOREVER = new Date("9999-12-31T00:00:00.000Z");
