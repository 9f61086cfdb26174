// T10 and friends under concurrent requests, on SQLite and PostgreSQL.
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";
import { ownSims } from "./support/sims.ts";
import { cancel, decide, issue, issued, payByCard } from "./support/transfers.ts";

const h = await startHarness();

async function pair() {
  const source = await signUp(h);
  const dest = await signUp(h);
  await payByCard(h, dest);
  return { source, dest };
}

/** Every invariant a transfer must leave behind, read straight from the database. */
async function consistent(transferId: string) {
  const rowId = Buffer.from(transferId, "base64").toString().split(":")[1]!;
  const transfer = await h.app.db.simTransfer.findUniqueOrThrow({ where: { id: rowId }, include: { items: true } });
  const sims = await h.app.db.sim.findMany({ where: { id: { in: transfer.items.map((i) => i.simId) } } });
  for (const sim of sims) {
    if (transfer.status === "ACCEPTED") {
      expect(sim).toMatchObject({ operatorId: transfer.destinationOperatorId, status: "READY", pendingTransferId: null });
    } else if (transfer.status === "PENDING") {
      expect(sim).toMatchObject({ operatorId: transfer.sourceOperatorId, status: "TRANSFERRING", pendingTransferId: transfer.id });
    } else {
      expect(sim).toMatchObject({ operatorId: transfer.sourceOperatorId, status: "READY", pendingTransferId: null });
    }
  }
  return transfer.status;
}

describe("transfer concurrency", () => {
  it("T10: 50 concurrent acceptances of one token succeed exactly once", async () => {
    const { source, dest } = await pair();
    const sims = await ownSims(h, source, 5);
    const t = await issued(h, source, dest, sims.map((s) => s.id));
    const results = await Promise.all(Array.from({ length: 50 }, () => decide(h, dest, "acceptSimTransfer", { token: t.token })));
    expect(results.filter((r) => r.userErrors.length === 0)).toHaveLength(1);
    expect(new Set(results.flatMap((r) => r.userErrors.map((e) => e.code)))).toEqual(new Set(["TRANSFER_TOKEN_INVALID"]));
    expect(await consistent(t.id)).toBe("ACCEPTED");
    const history = await h.app.db.simStatusChange.count({ where: { simId: { in: sims.map((s) => Buffer.from(s.id, "base64").toString().split(":")[1]!) }, cause: "TRANSFER", to: "READY" } });
    expect(history).toBe(5);
  });

  it("accept racing cancel ends in exactly one of the two, with every SIM consistent", async () => {
    for (let round = 0; round < 5; round++) {
      const { source, dest } = await pair();
      const sims = await ownSims(h, source, 4);
      const t = await issued(h, source, dest, sims.map((s) => s.id));
      const [accepted, canceled] = await Promise.all([decide(h, dest, "acceptSimTransfer", { token: t.token }), cancel(h, source, t.id)]);
      const wins = [accepted.userErrors.length === 0, canceled.userErrors.length === 0];
      expect(wins.filter(Boolean)).toHaveLength(1);
      expect(await consistent(t.id)).toBe(wins[0] ? "ACCEPTED" : "CANCELED");
    }
  });

  it("two transfers issued for the same SIM at once: it lands in exactly one", async () => {
    for (let round = 0; round < 5; round++) {
      const source = await signUp(h);
      const a = await signUp(h);
      const b = await signUp(h);
      const [shared, onlyA, onlyB] = await ownSims(h, source, 3);
      const [ra, rb] = await Promise.all([issue(h, source, a, [shared!.id, onlyA!.id]), issue(h, source, b, [onlyB!.id, shared!.id])]);
      const ok = [ra, rb].filter((r) => r.userErrors.length === 0);
      expect(ok).toHaveLength(1);
      expect([...ra.userErrors, ...rb.userErrors].map((e) => e.code)).toEqual(["SIM_NOT_READY"]);
      expect(await consistent(ok[0]!.transfer!.id)).toBe("PENDING");
      const loserSim = ok[0] === ra ? onlyB : onlyA;
      const row = await h.app.db.sim.findUniqueOrThrow({ where: { imsi: loserSim!.imsi } });
      expect(row).toMatchObject({ status: "READY", pendingTransferId: null });
    }
  });

  it("a 1,000-SIM transfer is issued and accepted with a bounded number of statements", async () => {
    const { source, dest } = await pair();
    const sims = await ownSims(h, source, 1000);
    h.statements.reset();
    h.statements.counting = true;
    const r = await issue(h, source, dest, sims.map((s) => s.id));
    const issueStatements = h.statements.count;
    h.statements.counting = false;
    expect(r.userErrors).toEqual([]);
    const token = (await h.app.db.outboxMessage.findFirstOrThrow({ where: { kind: "SIM_TRANSFER_TOKEN" }, orderBy: { createdAt: "desc" } })).token!;
    h.statements.reset();
    h.statements.counting = true;
    const accepted = await decide(h, dest, "acceptSimTransfer", { token });
    const acceptStatements = h.statements.count;
    h.statements.counting = false;
    expect(accepted.userErrors).toEqual([]);
    // V1: each side's events go in 80 rows a statement on SQLite (its parameter bound), 1,000 on
    // PostgreSQL: a 1,000-SIM call adds up to 13 inserts there.
    const eventInserts = process.env.SIMGATE_TEST_DB === "postgres" ? 1 : 14;
    expect(issueStatements).toBeLessThan(40 + eventInserts);
    expect(acceptStatements).toBeLessThan(40 + eventInserts);
    expect(await consistent(r.transfer!.id)).toBe("ACCEPTED");
  });
});
