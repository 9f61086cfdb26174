// The one write path for a SIM's status and its history: operators' calls, network sessions,
// expiries, transfers (issue, accept, cancel, reject, expire) all come through here, one SIM or a
// thousand at a time. Callers lock and judge first (lockSims, domain/sim-status.ts); this module
// writes what they decided, set-based: one update per distinct outcome and chunk, one history insert,
// and (V1) one SIM_STATUS_CHANGED event per SIM in the log of the SIM's owner after the change.
import { v7 as uuidv7 } from "uuid";
import type { Tx } from "../db/database.ts";
import { chunked } from "../db/chunks.ts";
import type { SimStatusChangeCause } from "../db/generated/sqlite/enums.ts";
import type { Prisma } from "../db/generated/sqlite/client.ts";
import type { SimStatus, Transition } from "../domain/sim-status.ts";
import { appendSimRegistered, appendStatusChanged } from "../events/sim-events.ts";

export interface StatusChange extends Transition {
  /** The SIM's row ID. */
  id: string;
  /** The SIM's owner after the change: history entries and events belong to it (a transfer's source never sees the destination's). */
  operatorId: string;
  /** Kept on the event (V3). */
  imsi: string;
  /** Columns written with the status (termination data, a transfer's reset); SIMs sharing them share an update. */
  set?: Omit<Prisma.SimUncheckedUpdateManyInput, "status">;
}

export interface ApplyOptions {
  /** V1: who caused the change (the viewer's actor, or events/types.ts SYSTEM_ACTOR). */
  actor: string;
  /**
   * Only SIMs that also match this are written (e.g. still READY and held by no transfer). When
   * any SIM does not match, no history is written and the count tells the caller to refuse
   * (the transaction rolls back).
   */
  guard?: Prisma.SimWhereInput;
}

/** Writes the changes and their history; answers how many SIM rows were written. */
export async function applyStatusChanges(
  tx: Tx,
  changes: readonly StatusChange[],
  cause: SimStatusChangeCause,
  at: Date,
  options: ApplyOptions,
): Promise<number> {
  if (changes.length === 0) return 0;
  const groups = new Map<string, { to: SimStatus; set: Omit<Prisma.SimUncheckedUpdateManyInput, "status">; ids: string[] }>();
  for (const change of changes) {
    const set = change.set ?? {};
    const key = JSON.stringify([change.to, set]);
    const group = groups.get(key) ?? groups.set(key, { to: change.to, set, ids: [] }).get(key)!;
    group.ids.push(change.id);
  }
  let written = 0;
  for (const { to, set, ids } of groups.values()) {
    for (const part of chunked(ids)) {
      const r = await tx.sim.updateMany({ where: { id: { in: part }, ...options.guard }, data: { ...set, status: to } });
      written += r.count;
    }
  }
  if (written !== changes.length) return written;
  // IDs made here (UUIDv7, as the column's default would) so each event names its history entry.
  const entries = changes.map((c) => ({ ...c, statusChangeId: uuidv7() }));
  await tx.simStatusChange.createMany({
    data: entries.map((c) => ({ id: c.statusChangeId, simId: c.id, operatorId: c.operatorId, from: c.from, to: c.to, at, cause, reactivation: c.reactivation })),
  });
  appendStatusChanged(tx, entries, cause, at, options.actor);
  return written;
}

/** One SIM's change (see applyStatusChanges). */
export async function applyStatusChange(
  tx: Tx,
  sim: { id: string; operatorId: string; imsi: string },
  transition: Transition,
  cause: SimStatusChangeCause,
  at: Date,
  actor: string,
  set: Omit<Prisma.SimUncheckedUpdateManyInput, "status"> = {},
): Promise<void> {
  await applyStatusChanges(tx, [{ id: sim.id, operatorId: sim.operatorId, imsi: sim.imsi, ...transition, set }], cause, at, { actor });
}

type RegistrationSet = Omit<Prisma.SimUncheckedUpdateManyInput, "status" | "operatorId">;

/**
 * Registration: an inventory SIM (no owner) becomes the operator's, READY, with its first history
 * entry and (V1) a SIM_REGISTERED event. False when another operator claimed it first.
 */
export async function claimRegisteredSim(tx: Tx, sim: { id: string; imsi: string }, operatorId: string, at: Date, set: RegistrationSet, actor: string): Promise<boolean> {
  return (await claimRegisteredSims(tx, [sim], operatorId, at, set, actor)).has(sim.id);
}

/**
 * Registration of many SIMs: one conditional update per chunk claims those still without an
 * owner, and only those get their history and (V1) their SIM_REGISTERED event, set-based. Answers
 * the IDs this call claimed; the others were taken meanwhile by another registration (any
 * operator's), which the caller reports per SIM.
 */
export async function claimRegisteredSims(tx: Tx, sims: readonly { id: string; imsi: string }[], operatorId: string, at: Date, set: RegistrationSet, actor: string): Promise<Set<string>> {
  const claimed = new Set<string>();
  for (const part of chunked(sims.map((s) => s.id))) {
    // RETURNING names exactly the rows this statement changed: a count could not say which.
    const rows = await tx.sim.updateManyAndReturn({ where: { id: { in: part }, operatorId: null }, data: { ...set, operatorId, status: "READY" }, select: { id: true } });
    for (const row of rows) claimed.add(row.id);
  }
  if (claimed.size > 0) {
    await tx.simStatusChange.createMany({ data: [...claimed].map((simId) => ({ simId, operatorId, from: null, to: "READY" as const, at, cause: "OPERATOR" as const })) });
    appendSimRegistered(tx, sims.filter((s) => claimed.has(s.id)).map((s) => ({ id: s.id, imsi: s.imsi, operatorId })), at, actor);
  }
  return claimed;
}

/** What termination sets besides the status (S6, S8, S9). */
export function terminationData(sim: { coverage: string }, at: Date, retentionDays: number) {
  return {
    terminatedAt: at,
    sessionOnline: false,
    returnRequired: sim.coverage === "JAPAN",
    listedUntil: new Date(at.getTime() + retentionDays * 86_400_000),
  };
}

/** Listings show a SIM until this instant: far in the future until it is terminated (S9). */
export const LISTED_FOREVER = new Date("9999-12-31T00:00:00.000Z");
