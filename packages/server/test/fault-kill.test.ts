// Kill -9 a server process while a 1,000-SIM acceptSimTransfer and a 1,000-SIM
// terminateSims have their transaction open, restart a server on the same database, and check the
// outcome is all or nothing and the scheduler resumes. How the kill is timed: support/fault.ts (on
// PostgreSQL the transaction is held just before COMMIT, so "nothing" is the only right outcome;
// on SQLite the kill lands while the server holds the write lock, so either outcome may be right).
import { afterAll, describe, expect, it } from "vitest";
import { createDb, parseDatabaseUrl } from "@simgate/schema/db/database";
import { signUp } from "./support/accounts.ts";
import { holdAuditTable, waitForBackendGone, waitForBlockedAuditInsert, waitForSqliteWriteLock } from "./support/fault.ts";
import { rowIdOf, transferViolations } from "./support/invariants.ts";
import { killServersAfterAll, startServerProcess, type ServerProcess } from "./support/server-process.ts";
import { ownSims } from "./support/sims.ts";
import { createTestDatabase } from "./support/test-database.ts";
import { issue, payByCard } from "./support/transfers.ts";

const database = await createTestDatabase();
const target = parseDatabaseUrl(database.url);
killServersAfterAll();
// A long scheduler interval while a kill is being timed: on SQLite an idle tick takes the write lock too.
let server: ServerProcess = await startServerProcess(database.url, { SIMGATE_SCHEDULER_INTERVAL_MS: "60000" });
const db = await createDb(target, { poolSize: 2 });
afterAll(async () => {
  await server.kill();
  await db.$disconnect();
  await database.drop();
});

const source = await signUp(server.client);
const dest = await signUp(server.client);
await payByCard(server.client, dest);
const sims = await ownSims(server.client, source, 1000);
const spares = await ownSims(server.client, source, 2);
// "The 1,000" in queries: every SIM but the two spares (SQLite takes at most 999 bound values).
const batch = { id: { notIn: spares.map((s) => rowIdOf(s.id)) } };
const batchHistory = { simId: batch.id };

const ACCEPT = `mutation($i: SimTransferDecisionInput!) { acceptSimTransfer(input: $i) { transfer { status } userErrors { code } } }`;
const TERMINATE = `mutation($ids: [ID!]!) { terminateSims(input: { simIds: $ids }) { results { userErrors { code } } userErrors { code } } }`;
const SET_EXPIRY = `mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`;

/**
 * Kills the server (SIGKILL) while a transaction of it is open, once `start` has set one going;
 * returns the tables that transaction had written to (PostgreSQL), to show the kill was mid-way.
 */
async function killMidTransaction(start: () => Promise<void> | void, delayMs = 0): Promise<string[]> {
  const hold = target.provider === "postgresql" ? await holdAuditTable(database.url) : null;
  try {
    await start();
    if (hold) {
      const blocked = await waitForBlockedAuditInsert(database.url);
      try {
        await server.kill();
      } finally {
        await hold.release();
      }
      await waitForBackendGone(database.url, blocked.pid);
      return blocked.written;
    }
    await waitForSqliteWriteLock(target.file!, server.pid);
    if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
    await server.kill();
    return [];
  } finally {
    await server.kill(); // a no-op unless a wait above failed
  }
}

/**
 * Sends the mutation and kills the server while its transaction is open (SQLite: `delayMs` after
 * its first write, so the kill may also come after COMMIT; then the call may have answered).
 */
async function killDuring(query: string, variables: Record<string, unknown>, token: string, delayMs = 0): Promise<{ written: string[]; answered: boolean }> {
  let request: Promise<boolean> | undefined;
  const written = await killMidTransaction(() => {
    request = server.client.gql(query, variables, token).then(
      () => true,
      () => false,
    );
  }, delayMs);
  const answered = await request!;
  // PostgreSQL held it before COMMIT: it cannot have answered.
  if (target.provider === "postgresql") expect(answered).toBe(false);
  return { written, answered };
}

/** A new server on the same database; `intervalMs` short once no more kills are to be timed. */
async function restart(intervalMs = 60_000): Promise<void> {
  server = await startServerProcess(database.url, { SIMGATE_SCHEDULER_INTERVAL_MS: String(intervalMs) });
}

describe("kill -9 in the middle of a bulk transaction", () => {
  let transferId = "";

  it("T6: a 1,000-SIM acceptance killed mid-transaction is either fully ACCEPTED or still PENDING with every SIM TRANSFERRING; after a restart it is accepted once", async () => {
    const issued = await issue(server.client, source, dest, sims.map((s) => s.id));
    expect(issued.userErrors).toEqual([]);
    transferId = issued.transfer!.id;
    // S7: falls due while the server is down or just restarted (its scheduler waits a minute).
    const due = await server.client.ok(SET_EXPIRY, { i: { simId: spares[0]!.id, expiresAt: new Date(Date.now() + 2000).toISOString(), action: "SUSPEND" } }, source.token);
    expect(due.setSimExpiry.userErrors).toEqual([]);

    const { written, answered } = await killDuring(ACCEPT, { i: { transferId } }, dest.token);
    if (target.provider === "postgresql") expect(written).toEqual(expect.arrayContaining(["Sim", "SimStatusChange", "SimTransfer"]));

    // The database alone, before any server touches it again.
    expect(await transferViolations(db)).toEqual([]);
    const transfer = await db.simTransfer.findUniqueOrThrow({ where: { id: rowIdOf(transferId) } });
    const atDest = await db.sim.count({ where: { ...batch, operatorId: rowIdOf(dest.id), status: "READY" } });
    const held = await db.sim.count({ where: { ...batch, operatorId: rowIdOf(source.id), status: "TRANSFERRING", pendingTransferId: transfer.id } });
    const moves = await db.simStatusChange.count({ where: { ...batchHistory, from: "TRANSFERRING", cause: "TRANSFER" } });
    const audits = await db.auditLogEntry.count({ where: { action: "acceptSimTransfer" } });
    const outcome = { status: transfer.status, atDest, held, moves, audits };
    console.info(`kill -9 (${target.provider}): acceptSimTransfer killed, found ${transfer.status}`);
    if (transfer.status === "ACCEPTED" || answered) expect(outcome).toEqual({ status: "ACCEPTED", atDest: 1000, held: 0, moves: 1000, audits: 1 });
    else expect(outcome).toEqual({ status: "PENDING", atDest: 0, held: 1000, moves: 0, audits: 0 });
    // On PostgreSQL the kill came before COMMIT: nothing may have survived.
    if (target.provider === "postgresql") expect(transfer.status).toBe("PENDING");

    await restart();
    const again = (await server.client.ok(ACCEPT, { i: { transferId } }, dest.token)).acceptSimTransfer;
    if (transfer.status === "PENDING") expect(again).toEqual({ transfer: { status: "ACCEPTED" }, userErrors: [] });
    else expect(again.userErrors.length).toBe(1);
    expect(await transferViolations(db)).toEqual([]);
    expect(await db.sim.count({ where: { ...batch, operatorId: rowIdOf(dest.id), status: "READY" } })).toBe(1000);
    expect(await db.auditLogEntry.count({ where: { action: "acceptSimTransfer", result: "SUCCEEDED" } })).toBe(1);
  }, 90_000);

  it("S6: a 1,000-SIM terminateSims killed mid-transaction terminated all of them or none; after a restart it completes once", async () => {
    // The destination now owns them, protected (T7); protection off is setup, not the subject.
    await db.sim.updateMany({ where: { ...batch }, data: { terminationProtected: false } });
    const ids = sims.map((s) => s.id);

    // SQLite: the kill can only be timed from the transaction's first write on, so later attempts
    // wait a little after it and land further in (or after COMMIT: then "all" is right).
    const delays = target.provider === "sqlite" ? [0, 10, 40] : [0];
    let terminated = 0;
    for (const [attempt, delay] of delays.entries()) {
      if (attempt > 0) await restart();
      const { written, answered } = await killDuring(TERMINATE, { ids }, dest.token, delay);
      if (target.provider === "postgresql") expect(written).toEqual(expect.arrayContaining(["Sim", "SimStatusChange"]));

      terminated = await db.sim.count({ where: { ...batch, status: "TERMINATED" } });
      const withTime = await db.sim.count({ where: { ...batch, terminatedAt: { not: null } } });
      const history = await db.simStatusChange.count({ where: { ...batchHistory, to: "TERMINATED" } });
      const audits = await db.auditLogEntry.count({ where: { action: "terminateSims" } });
      const outcome = { terminated, withTime, history, audits };
      console.info(`kill -9 (${target.provider}): terminateSims killed ${target.provider === "postgresql" ? "before COMMIT" : `${delay} ms after its first write`}, found ${terminated} of 1,000 terminated`);
      if (terminated > 0 || answered) expect(outcome).toEqual({ terminated: 1000, withTime: 1000, history: 1000, audits: 1 });
      else expect(outcome).toEqual({ terminated: 0, withTime: 0, history: 0, audits: 0 });
      if (target.provider === "postgresql") expect(terminated).toBe(0);
      if (terminated > 0) break;
    }

    await restart(200);
    const again = (await server.client.ok(TERMINATE, { ids }, dest.token)).terminateSims;
    expect(again.userErrors).toEqual([]);
    const codes = new Set(again.results.flatMap((r: { userErrors: { code: string }[] }) => r.userErrors.map((e) => e.code)));
    expect(codes).toEqual(terminated > 0 ? new Set(["SIM_TERMINATED"]) : new Set());
    expect(await db.sim.count({ where: { ...batch, status: "TERMINATED" } })).toBe(1000);
    expect(await db.simStatusChange.count({ where: { ...batchHistory, to: "TERMINATED" } })).toBe(1000);
    // The SIM counters (kept by triggers) rolled back with the transaction too.
    const counted = await db.simCount.aggregate({ where: { operatorId: rowIdOf(dest.id), status: "TERMINATED" }, _sum: { n: true } });
    expect(counted._sum.n).toBe(1000);
  }, 90_000);

  it("S7: a server killed inside an expiry's transaction leaves it due; the restarted scheduler applies it, and the one that fell due while the server was down, exactly once", async () => {
    const [downtime, cut] = spares.map((s) => rowIdOf(s.id)) as [string, string];
    const dueAt = Date.now() + 1500;
    const set = await server.client.ok(SET_EXPIRY, { i: { simId: spares[1]!.id, expiresAt: new Date(dueAt).toISOString(), action: "DEACTIVATE" } }, source.token);
    expect(set.setSimExpiry.userErrors).toEqual([]);
    // The running server's scheduler (every 200 ms) takes it up once due. PostgreSQL: it stops at
    // the audit entry. SQLite: watched from the due time on, the next write lock is that tick's.
    const untilDue = () => new Promise<void>((r) => setTimeout(r, Math.max(0, dueAt - Date.now())));
    const written = await killMidTransaction(target.provider === "sqlite" ? untilDue : () => {});
    if (target.provider === "postgresql") expect(written).toEqual(expect.arrayContaining(["Sim", "SimStatusChange"]));

    const row = await db.sim.findUniqueOrThrow({ where: { id: cut }, select: { status: true, expiryAppliedAt: true } });
    const history = await db.simStatusChange.count({ where: { simId: cut, cause: "EXPIRY" } });
    const audits = await db.auditLogEntry.count({ where: { action: "applySimExpiry", targetIds: { contains: spares[1]!.id } } });
    const outcome = { status: row.status, applied: row.expiryAppliedAt !== null, history, audits };
    console.info(`kill -9 (${target.provider}): scheduler killed, expiry found ${outcome.applied ? "applied" : "still due"}`);
    if (outcome.applied) expect(outcome).toEqual({ status: "INACTIVE", applied: true, history: 1, audits: 1 });
    else expect(outcome).toEqual({ status: "READY", applied: false, history: 0, audits: 0 });
    if (target.provider === "postgresql") expect(outcome.applied).toBe(false);

    await restart(200);
    await expect.poll(() => db.sim.count({ where: { id: { in: [downtime, cut] }, expiryAppliedAt: { not: null } } }), { timeout: 30_000, interval: 100 }).toBe(2);
    expect(await db.sim.findMany({ where: { id: { in: [downtime, cut] } }, select: { status: true }, orderBy: { id: "asc" } })).toEqual(
      [downtime, cut].sort().map((id) => ({ status: id === downtime ? "SUSPENDED" : "INACTIVE" })),
    );
    const entries = await db.simStatusChange.groupBy({ by: ["simId"], where: { simId: { in: [downtime, cut] }, cause: "EXPIRY" }, _count: true });
    expect(entries.map((e) => e._count)).toEqual([1, 1]);
    expect(await db.auditLogEntry.count({ where: { action: "applySimExpiry" } })).toBe(2);
  }, 60_000);
});
