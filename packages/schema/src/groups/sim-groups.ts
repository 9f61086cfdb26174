// G1–G3: the transactional side of SIM groups. Each function runs inside the caller's transaction
// (scoped to the operator, O4), asks domain/sim-group.ts, and writes set-based. SimGroup.simCount
// is kept by database triggers on Sim.groupId (migration users_groups): nothing here counts.
//
// Lock order on PostgreSQL, the same on every path that changes membership: SIMs (sorted, by the
// caller), then groups (sorted, lockGroups). A group row is also what the count triggers update,
// so a transaction that locked its groups first never waits on another for them midway.
import { appendSimUpdated } from "../events/sim-events.ts";
import { chunked } from "../db/chunks.ts";
import type { Db, Provider, Tx } from "../db/database.ts";
import type { Sim } from "../db/generated/sqlite/client.ts";
import { lockOperator } from "../db/operator-lock.ts";
import { refuse, refuseIf } from "../db/refusal.ts";
import { isUniqueViolation } from "../db/unique-violation.ts";
import {
  checkGroupDescription,
  checkGroupName,
  groupNameTaken,
  judgeGroupDeletion,
  judgeGroupLimit,
  judgeGroupMove,
} from "../domain/sim-group.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { lockSims } from "../sims/lock.ts";

export interface GroupRun {
  /** The transaction, scoped to the operator. */
  tx: Tx;
  provider: Provider;
  operatorId: string;
  now: Date;
  /** V1: who acts, for the SIM_UPDATED events. */
  actor: string;
}

const NAME = ["input", "name"];
const DESCRIPTION = ["input", "description"];
const GROUP = ["input", "groupId"];

function noSuchGroup(field = GROUP): UserError {
  return userError("NOT_FOUND", "No such group.", field);
}

/** Locks group rows until the transaction ends (PostgreSQL; SQLite has one writer at a time). */
export async function lockGroups(tx: Tx, provider: Provider, ids: Iterable<string>): Promise<void> {
  const sorted = [...new Set(ids)].sort();
  if (provider !== "postgresql" || sorted.length === 0) return;
  await tx.$queryRawUnsafe(`SELECT id FROM "SimGroup" WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, sorted);
}

/** The unique index decides, so two concurrent creates (or renames) of one name cannot both win. */
async function uniqueName<T>(write: () => Promise<T>): Promise<T> {
  try {
    return await write();
  } catch (error) {
    if (isUniqueViolation(error)) refuse(groupNameTaken(NAME));
    throw error;
  }
}

/** G1: a new, empty group; at most MAX_GROUPS per operator, also under concurrent creates. */
export async function createGroup(run: GroupRun, input: { name: string; description?: string | null }) {
  refuseIf([checkGroupName(input.name, NAME), checkGroupDescription(input.description, DESCRIPTION)]);
  const { tx } = run;
  // Concurrent creates take turns from here, so each counts the ones committed before it.
  await lockOperator(tx, run.operatorId, run.now);
  refuseIf([judgeGroupLimit(await tx.simGroup.count(), NAME)]);
  return uniqueName(() =>
    tx.simGroup.create({ data: { operatorId: run.operatorId, name: input.name, description: input.description ?? null, createdAt: run.now, updatedAt: run.now } }),
  );
}

/** G1: renames and/or redescribes; fields left out stay. An empty description removes it. */
export async function updateGroup(run: GroupRun, groupRowId: string | null, input: { name?: string | null; description?: string | null }) {
  refuseIf([input.name != null ? checkGroupName(input.name, NAME) : null, checkGroupDescription(input.description, DESCRIPTION)]);
  const { tx } = run;
  const group = groupRowId ? await tx.simGroup.findUnique({ where: { id: groupRowId }, select: { id: true } }) : null;
  if (!group) refuse(noSuchGroup());
  const data = {
    updatedAt: run.now,
    ...(input.name != null ? { name: input.name } : {}),
    ...(input.description !== undefined ? { description: input.description || null } : {}),
  };
  return uniqueName(() => tx.simGroup.update({ where: { id: group.id }, data }));
}

/**
 * G2: only an empty group goes. The row lock makes a concurrent setSimGroup into it wait (and then
 * find no group) or go first (and then this finds it not empty).
 */
export async function deleteGroup(run: GroupRun, groupRowId: string | null): Promise<void> {
  const { tx, provider } = run;
  // S9: terminated SIMs past their retention belong to no listing; the scheduler takes them out of
  // their group within seconds, and deletion does not wait for it. SIMs are locked before the group.
  const lapsed = groupRowId ? (await tx.sim.findMany({ where: { groupId: groupRowId, listedUntil: { lte: run.now } }, select: { id: true } })).map((s) => s.id) : [];
  await lockSims(tx, provider, lapsed);
  if (groupRowId) await lockGroups(tx, provider, [groupRowId]);
  for (const part of chunked(lapsed)) await tx.sim.updateMany({ where: { id: { in: part }, groupId: groupRowId, listedUntil: { lte: run.now } }, data: { groupId: null } });
  const group = groupRowId ? await tx.simGroup.findUnique({ where: { id: groupRowId }, select: { id: true, simCount: true } }) : null;
  if (!group) refuse(noSuchGroup());
  refuseIf([judgeGroupDeletion(group.simCount, GROUP)]);
  await tx.simGroup.delete({ where: { id: group.id } });
}

export interface GroupMove {
  /** Per input position: the refusal for that SIM, or null when it is (now) where it was asked to be. */
  errors: (UserError | null)[];
  moved: number;
}

/**
 * G1: puts the named SIMs into the group (or out of any, `groupRowId` null). `named` are the
 * caller's SIMs, locked, one per input position with their own refusal (NOT_FOUND, repeats).
 * Set-based: one update per chunk of SIMs.
 */
export async function moveSimsToGroup(run: GroupRun, named: readonly { sim: Sim | undefined; error: UserError | null }[], groupRowId: string | null): Promise<GroupMove> {
  const { tx, provider } = run;
  const leaving = named.flatMap((n) => (!n.error && n.sim?.groupId ? [n.sim.groupId] : []));
  await lockGroups(tx, provider, groupRowId ? [groupRowId, ...leaving] : leaving);
  if (groupRowId && !(await tx.simGroup.findUnique({ where: { id: groupRowId }, select: { id: true } }))) refuse(noSuchGroup());
  const chosen: Sim[] = [];
  const errors = named.map(({ sim, error }, i) => {
    if (error) return error;
    const refused = judgeGroupMove(sim!, groupRowId, ["input", "simIds", String(i)]);
    if (!refused && sim!.groupId !== groupRowId) chosen.push(sim!);
    return refused;
  });
  for (const part of chunked(chosen.map((s) => s.id))) await tx.sim.updateMany({ where: { id: { in: part } }, data: { groupId: groupRowId, updatedAt: run.now } });
  appendSimUpdated(tx, chosen as (Sim & { operatorId: string })[], ["group"], run.now, run.actor);
  return { errors, moved: chosen.length };
}

/**
 * G3 (T7): before SIMs leave their groups in one update (a transfer's acceptance clears groupId
 * with the rest of the reset), their groups are locked in order, ahead of the count triggers.
 * The SIMs are already locked.
 */
export async function lockGroupsOfSims(tx: Tx, provider: Provider, simRowIds: readonly string[]): Promise<void> {
  if (provider !== "postgresql") return;
  const groups = new Set<string>();
  for (const part of chunked(simRowIds)) {
    for (const s of await tx.sim.findMany({ where: { id: { in: part }, groupId: { not: null } }, select: { groupId: true } })) groups.add(s.groupId!);
  }
  await lockGroups(tx, provider, groups);
}

/**
 * G2, S9: terminated SIMs keep their group until they leave listings; then the scheduler takes them
 * out (simCount goes down then). Set-based, at most `batchSize` SIMs a run; the next run takes the rest.
 */
export async function endLapsedGroupMemberships(db: Db, now: Date, provider: Provider, batchSize = 1000): Promise<number> {
  const lapsed = (where: object) => ({ groupId: { not: null }, listedUntil: { lte: now }, ...where });
  const due = await db.sim.findMany({ where: lapsed({}), select: { id: true }, take: batchSize });
  if (due.length === 0) return 0;
  return db.$transaction(async (tx) => {
    const ids = due.map((s) => s.id);
    await lockSims(tx, provider, ids);
    const groups = new Set<string>();
    for (const part of chunked(ids)) for (const s of await tx.sim.findMany({ where: lapsed({ id: { in: part } }), select: { groupId: true } })) groups.add(s.groupId!);
    await lockGroups(tx, provider, groups);
    let ended = 0;
    for (const part of chunked(ids)) ended += (await tx.sim.updateMany({ where: lapsed({ id: { in: part } }), data: { groupId: null } })).count;
    return ended;
  });
}
