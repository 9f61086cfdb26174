// Two server processes on one PostgreSQL database, nothing in front but their two
// ports. Clients race on the same transfers and SIMs through both while both schedulers race on
// due expiries; afterwards every invariant is checked in the tables. PostgreSQL only: several
// processes on one SQLite file is not a supported deployment.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createDb, parseDatabaseUrl, type Db } from "@simgate/schema/db/database";
import type { ScratchDatabase } from "../../../scripts/scratch-database.ts";
import { signUp, type TestOperator } from "./support/accounts.ts";
import { ADMIN_SECRET, type GraphQLResponse, type Harness } from "./support/harness.ts";
import { auditCounts, rowIdOf, transferViolations } from "./support/invariants.ts";
import { killServersAfterAll, startServerProcess, type ServerProcess } from "./support/server-process.ts";
import { ownSims, setProtection } from "./support/sims.ts";
import { issue, payByCard } from "./support/transfers.ts";
import { createTestDatabase } from "./support/test-database.ts";

const onSqlite = process.env.SIMGATE_TEST_DB === "sqlite";

/** Mutations answered (HTTP answer with a payload), per action, to compare with the audit log. */
const answered: Record<string, { total: number; succeeded: number }> = {};

/** A fixture client on one server that tallies every mutation payload it gets back. */
function tallied(server: ServerProcess): Harness {
  const gql = async (query: string, variables?: Record<string, unknown>, auth?: string | null): Promise<GraphQLResponse> => {
    let result = await server.client.gql(query, variables, auth);
    // As clients do: OPERATOR_BUSY (nothing ran, nothing audited) is sent again after a pause.
    while (result.errors?.[0]?.extensions?.code === "OPERATOR_BUSY") {
      await new Promise((resolve) => setTimeout(resolve, 50));
      result = await server.client.gql(query, variables, auth);
    }
    const field = /^\s*mutation\b[^{]*\{\s*(\w+)/.exec(query)?.[1];
    const payload = field ? (result.data?.[field] as { userErrors?: unknown[]; results?: { userErrors: unknown[] }[] } | null | undefined) : undefined;
    if (field && payload) {
      const c = (answered[field] ??= { total: 0, succeeded: 0 });
      c.total += 1;
      // Bulk calls are audited as refused only when every item was refused.
      const refused = payload.userErrors?.length !== 0 || (payload.results !== undefined && payload.results.every((r) => r.userErrors.length > 0));
      if (!refused) c.succeeded += 1;
    }
    return result;
  };
  const ok = async (query: string, variables?: Record<string, unknown>, auth?: string | null) => {
    const result = await gql(query, variables, auth);
    if (result.errors?.length) throw new Error(`GraphQL errors from :${server.port}: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
  return { gql, ok, raw: server.client.raw } as unknown as Harness;
}

const DECIDE = (m: string) => `mutation($i: SimTransferDecisionInput!) { ${m}(input: $i) { transfer { id status } userErrors { code } } }`;
const CANCEL = `mutation($id: ID!) { cancelSimTransfer(input: { transferId: $id }) { transfer { status } userErrors { code } } }`;
const TERMINATE = `mutation($id: ID!) { terminateSim(input: { simId: $id }) { sim { status } userErrors { code } } }`;
const TERMINATE_MANY = `mutation($ids: [ID!]!) { terminateSims(input: { simIds: $ids }) { results { simId userErrors { code } } userErrors { code } } }`;
const SET_EXPIRY = `mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { sim { id } userErrors { code } } }`;

const succeeded = (r: { userErrors: unknown[] } | undefined) => r !== undefined && r.userErrors.length === 0;

describe.skipIf(onSqlite)("two server processes on one PostgreSQL database", () => {
  let database: ScratchDatabase;
  let db: Db;
  let a: Harness;
  let b: Harness;
  let servers: ServerProcess[] = [];
  killServersAfterAll();

  beforeAll(async () => {
    database = await createTestDatabase();
    // Both start at once: the migrations run once, under the advisory lock.
    servers = await Promise.all([0, 1].map(() => startServerProcess(database.url, { SIMGATE_SCHEDULER_INTERVAL_MS: "100" })));
    [a, b] = servers.map(tallied) as [Harness, Harness];
    db = await createDb(parseDatabaseUrl(database.url), { poolSize: 2 });
  }, 60_000);

  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await db?.$disconnect();
    await database?.drop();
  });

  it("T3–T10, S6, S7, O6: racing transfers, terminations and expiries through both ports leave every invariant intact", async () => {
    const ports = [a, b];
    const on = (i: number) => ports[i % 2]!;
    const [source, other, d1, d2] = await Promise.all([signUp(a), signUp(b), signUp(a), signUp(b)]);
    await Promise.all([payByCard(a, d1!), payByCard(b, d2!)]);
    const pairs = await ownSims(a, source!, 36);
    const contested = await ownSims(b, source!, 18); // six rounds of two transfers wanting one SIM
    const doomed = await ownSims(b, other!, 30);
    const expiring = await ownSims(a, other!, 30);
    await Promise.all(doomed.map((s, i) => setProtection(on(i), other!, s.id, false)));

    // S7: due in a few seconds, so both schedulers (every 100 ms) are racing while the rest runs.
    const dueAt = new Date(Date.now() + 3000).toISOString();
    const set = await Promise.all(expiring.map((s, i) => on(i).ok(SET_EXPIRY, { i: { simId: s.id, expiresAt: dueAt, action: "SUSPEND" } }, other!.token)));
    expect(set.every((r) => succeeded(r.setSimExpiry))).toBe(true);

    // T3: 18 transfers of two SIMs, issued through both ports at once; and six rounds where two
    // transfers to different destinations want the same SIM (issued through different ports).
    const issuedTransfers = await Promise.all(
      Array.from({ length: 18 }, (_, i) => issue(on(i), source!, d1!, [pairs[2 * i]!.id, pairs[2 * i + 1]!.id])),
    );
    expect(issuedTransfers.every(succeeded)).toBe(true);
    const rounds = await Promise.all(
      Array.from({ length: 6 }, (_, r) => {
        const [shared, onlyX, onlyY] = contested.slice(3 * r, 3 * r + 3);
        return Promise.all([issue(a, source!, d1!, [shared!.id, onlyX!.id]), issue(b, source!, d2!, [onlyY!.id, shared!.id])]);
      }),
    );
    for (const round of rounds) expect(round.filter(succeeded)).toHaveLength(1);

    // The storm: every transfer decided from both ports at once, every doomed SIM terminated from
    // both ports at once (one by one, and the last ten in two overlapping bulk calls).
    const ids = issuedTransfers.map((t) => t.transfer!.id as string);
    const decisions = ids.map((id, i) => {
      const race =
        i % 3 === 0
          ? [a.ok(DECIDE("acceptSimTransfer"), { i: { transferId: id } }, d1!.token), b.ok(DECIDE("acceptSimTransfer"), { i: { transferId: id } }, d1!.token)]
          : i % 3 === 1
            ? [a.ok(DECIDE("acceptSimTransfer"), { i: { transferId: id } }, d1!.token), b.ok(CANCEL, { id }, source!.token)]
            : [b.ok(DECIDE("rejectSimTransfer"), { i: { transferId: id } }, d1!.token), a.ok(CANCEL, { id }, source!.token), b.ok(DECIDE("acceptSimTransfer"), { i: { transferId: id } }, d1!.token)];
      return Promise.all(race);
    });
    const singles = doomed.slice(0, 20).map((s) => Promise.all([a.ok(TERMINATE, { id: s.id }, other!.token), b.ok(TERMINATE, { id: s.id }, other!.token)]));
    const bulk = doomed.slice(20).map((s) => s.id);
    const [decided, terminated, bulkResults] = await Promise.all([
      Promise.all(decisions),
      Promise.all(singles),
      Promise.all([a.ok(TERMINATE_MANY, { ids: bulk }, other!.token), b.ok(TERMINATE_MANY, { ids: [...bulk].reverse() }, other!.token)]),
    ]);

    // Exactly one decision won each transfer, and the table agrees with it.
    for (const [i, race] of decided.entries()) {
      const winners = race.map((r) => Object.values(r)[0] as { userErrors: unknown[] }).filter(succeeded);
      expect(winners, `transfer ${i}`).toHaveLength(1);
    }
    for (const race of terminated) expect(race.filter((r) => succeeded(r.terminateSim))).toHaveLength(1);
    // S6: each SIM of the overlapping bulk calls is terminated by exactly one of them.
    for (const [k, id] of bulk.entries()) {
      const fromA = bulkResults[0].terminateSims.results[k];
      const fromB = bulkResults[1].terminateSims.results[bulk.length - 1 - k];
      expect([fromA.simId, fromB.simId]).toEqual([id, id]);
      expect([fromA, fromB].filter((r: { userErrors: unknown[] }) => r.userErrors.length === 0)).toHaveLength(1);
    }

    // S7: wait (generously) until every expiry is applied by one scheduler or the other.
    const expiringRows = expiring.map((s) => rowIdOf(s.id));
    await expect
      .poll(() => db.sim.count({ where: { id: { in: expiringRows }, expiryAppliedAt: { not: null } } }), { timeout: 30_000, interval: 200 })
      .toBe(expiringRows.length);
    // Both instances find nothing left to apply.
    for (const server of ports) {
      const again = await server.ok(`mutation { adminRunDueJobs { expiriesApplied transfersExpired } }`, {}, ADMIN_SECRET);
      expect(again.adminRunDueJobs).toEqual({ expiriesApplied: 0, transfersExpired: 0 });
    }

    // Invariants, from the tables.
    expect(await transferViolations(db)).toEqual([]);
    const decidedById = await db.simTransfer.findMany({ where: { id: { in: ids.map(rowIdOf) } }, select: { status: true } });
    expect(new Set(decidedById.map((t) => t.status)).has("PENDING")).toBe(false);
    // Which SIMs moved: exactly those of accepted transfers; the rest are still the source's.
    const moved = await db.sim.count({ where: { id: { in: pairs.map((s) => rowIdOf(s.id)) }, NOT: { operatorId: rowIdOf(source!.id) } } });
    expect(moved).toBe(2 * decidedById.filter((t) => t.status === "ACCEPTED").length);

    // S6: one termination per SIM, in its status and its history.
    const doomedRows = doomed.map((s) => rowIdOf(s.id));
    expect(await db.sim.count({ where: { id: { in: doomedRows }, status: "TERMINATED" } })).toBe(30);
    const terminations = await db.simStatusChange.groupBy({ by: ["simId"], where: { simId: { in: doomedRows }, to: "TERMINATED" }, _count: true });
    expect(terminations.map((t) => t._count)).toEqual(Array(30).fill(1));

    // S7: every expiry applied exactly once: one EXPIRY history entry, status, one audit entry.
    expect(await db.sim.count({ where: { id: { in: expiringRows }, status: "SUSPENDED" } })).toBe(30);
    const expiries = await db.simStatusChange.groupBy({ by: ["simId"], where: { simId: { in: expiringRows }, cause: "EXPIRY" }, _count: true });
    expect(expiries.map((e) => e._count)).toEqual(Array(30).fill(1));
    const expiryAudit = await db.auditLogEntry.findMany({ where: { action: "applySimExpiry" }, select: { targetIds: true } });
    expect(expiryAudit.flatMap((e) => JSON.parse(e.targetIds) as string[]).sort()).toEqual(expiring.map((s) => s.id).sort());

    // O6: every mutation that answered is audited exactly once, refusals included.
    const audit = await auditCounts(db);
    const raced = ["issueSimTransfer", "acceptSimTransfer", "rejectSimTransfer", "cancelSimTransfer", "terminateSim", "terminateSims", "setSimExpiry", "setSimTerminationProtection"];
    for (const action of raced) expect({ action, ...audit[action] }).toEqual({ action, ...answered[action] });
  }, 120_000);

  it("P4: one Idempotency-Key sent to both instances at once runs once, is audited once, and either answers with that run", async () => {
    const op: TestOperator = await signUp(a);
    const sims = await ownSims(b, op, 10);
    const results = await Promise.all(
      sims.map(async (sim, i) => {
        const body = { query: `mutation($i: UpdateSimInput!) { updateSim(input: $i) { sim { name } userErrors { code } } }`, variables: { i: { simId: sim.id, name: `renamed-${i}` } } };
        const headers = { authorization: `Bearer ${op.token}`, "idempotency-key": `both-ports-${i}` };
        const send = async (server: ServerProcess) => {
          // A 409 (the other instance is still running it) is retried, as the SDK does.
          for (;;) {
            const response = await server.client.raw({ body, headers });
            if (response.status !== 409) return { status: response.status, replayed: response.headers.get("idempotent-replayed") === "true", json: await response.json() };
            await new Promise((r) => setTimeout(r, 50));
          }
        };
        return Promise.all(servers.map(send));
      }),
    );
    for (const [i, pair] of results.entries()) {
      expect(pair.map((r) => r.status)).toEqual([200, 200]);
      expect(pair.map((r) => r.json)).toEqual([pair[0]!.json, pair[0]!.json]);
      expect(pair[0]!.json.data.updateSim).toEqual({ sim: { name: `renamed-${i}` }, userErrors: [] });
      expect(pair.filter((r) => r.replayed)).toHaveLength(1);
    }
    const entries = await db.auditLogEntry.count({ where: { operatorId: rowIdOf(op.id), action: "updateSim" } });
    expect(entries).toBe(10);
  }, 60_000);
});
