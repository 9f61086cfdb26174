// S1 totalCount comes from counters the database keeps by trigger; they must match a scan after
// every kind of write: registration, status changes, bulk termination, expiry, transfers.
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";
import { ownSims, reportSession, simAction } from "./support/sims.ts";
import { decide, issued, payByCard } from "./support/transfers.ts";

const h = await startHarness();

const filters: Record<string, unknown>[] = [
  {},
  { coverage: "GLOBAL" },
  { coverage: "JAPAN", status: ["READY", "ACTIVE"] },
  { status: ["TERMINATED"] },
  { status: ["TRANSFERRING", "SUSPENDED"] },
  { subscription: ["plan-D"], coverage: "GLOBAL" },
  { status: ["READY", "TERMINATED"], subscription: ["plan01s", "plan-D"] },
];

/** totalCount against the number of SIMs a full listing actually returns, for every filter. */
async function expectExactCounts(token: string) {
  for (const filter of filters) {
    const data = await h.ok(`query($f: SimFilter) { viewer { sims(first: 100, filter: $f) { totalCount edges { node { id } } } } }`, { f: filter }, token);
    expect({ filter, count: data.viewer.sims.totalCount }).toEqual({ filter, count: data.viewer.sims.edges.length });
  }
}

describe("S1 totalCount counters", () => {
  it("stay exact through registration, status changes, sessions, termination, expiry and transfers", async () => {
    const a = await signUp(h);
    const b = await signUp(h);
    await payByCard(h, b);
    const sims = await ownSims(h, a, 12, (i) => ({ coverage: i % 2 ? "JAPAN" : "GLOBAL", subscription: i % 3 ? "plan01s" : "plan-D" }));
    await expectExactCounts(a.token);

    await simAction(h, a, "activateSim", sims[0]!.id);
    await simAction(h, a, "suspendSim", sims[1]!.id);
    await reportSession(h, sims[2]!.imsi, true);
    await h.app.db.sim.updateMany({ where: { imsi: { in: sims.slice(3, 7).map((s) => s.imsi) } }, data: { terminationProtected: false } });
    await h.ok(`mutation($ids: [ID!]!) { terminateSims(input: { simIds: $ids }) { userErrors { code } } }`, { ids: sims.slice(3, 6).map((s) => s.id) }, a.token);
    await h.ok(`mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`, { i: { simId: sims[6]!.id, expiresAt: new Date(Date.now() + 1000).toISOString(), action: "TERMINATE" } }, a.token);
    await expectExactCounts(a.token);

    const t = await issued(h, a, b, [sims[7]!.id, sims[8]!.id]);
    await expectExactCounts(a.token);
    await decide(h, b, "acceptSimTransfer", { token: t.token });
    await expectExactCounts(a.token);
    await expectExactCounts(b.token);

    h.clock.advance(2000);
    try {
      await h.ok(`mutation { adminRunDueJobs { expiriesApplied } }`, {}, ADMIN_SECRET);
      await expectExactCounts(a.token);
      // S9: terminated SIMs leave the count with their listing, without any write.
      h.clock.advance(31 * 86_400_000);
      const auth = await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: a.email, password: a.password } });
      await expectExactCounts(auth.authenticate.token);
      const all = await h.ok(`{ viewer { sims(first: 1) { totalCount } } }`, {}, auth.authenticate.token);
      expect(all.viewer.sims.totalCount).toBe(12 - 2 - 4);
    } finally {
      h.clock.reset();
    }
  });

  it("counting costs the same statements on a handful of SIMs and on many", async () => {
    const op = await signUp(h);
    await ownSims(h, op, 5);
    const count = async () => {
      h.statements.reset();
      h.statements.counting = true;
      await h.ok(`{ viewer { sims(first: 1, filter: { coverage: GLOBAL }) { totalCount } } }`, {}, op.token);
      h.statements.counting = false;
      return h.statements.sql.filter((s) => /count\(/i.test(s)).length;
    };
    const small = await count();
    await ownSims(h, op, 200);
    expect(await count()).toBe(small);
  });
});
