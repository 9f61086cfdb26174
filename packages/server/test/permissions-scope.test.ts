// U4, U6: a user's resources reach the data. A user scoped to `sim:tag:site=tokyo-*` tries every read
// path and every mutation on a SIM outside its scope and always meets "unknown" (null, NOT_FOUND), as
// for another operator's SIM (O4); a readable SIM it may not act on answers PERMISSION_DENIED.
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestOperator } from "./support/accounts.ts";
import { sendCounted, startHarness } from "./support/harness.ts";
import { ownSims } from "./support/sims.ts";
import { issued } from "./support/transfers.ts";
import { groupWithSims, testUser, type TestUser } from "./support/users.ts";

const h = await startHarness();
let root: TestOperator;
let other: TestOperator;
/** a: site=tokyo-1, b: site=osaka-1, c: untagged, d: site=tokyo-2 (group g1), t1/t2: tokyo-3 and osaka-2 (transferred) */
let a: { id: string; imsi: string }, b: typeof a, c: typeof a, d: typeof a, t1: typeof a, t2: typeof a;
let scoped: TestUser;

async function tag(sim: { id: string }, value: string) {
  const r = await h.ok(`mutation($i: UpdateSimInput!) { updateSim(input: $i) { userErrors { code } } }`, { i: { simId: sim.id, tags: [{ name: "site", value }] } }, root.token);
  expect(r.updateSim.userErrors).toEqual([]);
}

const SCOPE = "sim:tag:site=tokyo-*";

beforeAll(async () => {
  root = await signUp(h);
  other = await signUp(h);
  [a, b, c, d, t1, t2] = (await ownSims(h, root, 6)) as [typeof a, typeof a, typeof a, typeof a, typeof a, typeof a];
  await tag(a, "tokyo-1");
  await tag(b, "osaka-1");
  await tag(d, "tokyo-2");
  await tag(t1, "tokyo-3");
  await tag(t2, "osaka-2");
  await groupWithSims(h, root, "g1", [d.id]);
  await issued(h, root, other, [t1.id, t2.id]);
  scoped = await testUser(h, root, [
    { effect: "ALLOW", actions: ["Sim:read", "SimTransfer:read", "Sim:terminateSims", "Sim:updateSim"], resources: [SCOPE] },
    { effect: "ALLOW", actions: ["Sim:suspendSim", "Sim:activateSim"], resources: ["sim:tag:site=tokyo-1"] },
    { effect: "ALLOW", actions: ["SimTransfer:read"], resources: ["*"] },
  ]);
});

const ids = (page: { edges: { node: { id: string } }[] }) => page.edges.map((e) => e.node.id);

describe("U4: a scoped user sees exactly the SIMs it may read", () => {
  const filters: Record<string, unknown>[] = [
    {},
    { status: ["READY", "TRANSFERRING"] },
    { coverage: "GLOBAL" },
    { subscription: ["plan01s"] },
    { sessionOnline: false },
    { tag: { name: "site", value: "osaka-1" } },
    { tag: { name: "site", value: "" , match: "PREFIX" } },
    { search: "4401" },
  ];
  const orders = ["CREATED_AT", "IMSI", "NAME", "STATUS"].flatMap((field) => [{ field, direction: "ASC" }, { field, direction: "DESC" }]);

  it("U4: sims with every filter and order, walked page by page with cursors, and totalCount, never show an out-of-scope SIM", async () => {
    const readable = new Set([a.id, d.id, t1.id]);
    for (const filter of filters) {
      for (const orderBy of orders) {
        const seen: string[] = [];
        let after: string | null = null;
        let total = -1;
        for (let page = 0; page < 10; page++) {
          const r: any = await h.ok(
            `query($f: SimFilter, $o: SimOrder, $after: String) { viewer { sims(first: 1, after: $after, filter: $f, orderBy: $o) { totalCount pageInfo { hasNextPage endCursor } edges { node { id } } } } }`,
            { f: filter, o: orderBy, after },
            scoped.token,
          );
          const conn: { totalCount: number; pageInfo: { hasNextPage: boolean; endCursor: string | null }; edges: { node: { id: string } }[] } = r.viewer.sims;
          total = conn.totalCount;
          seen.push(...ids(conn));
          if (!conn.pageInfo.hasNextPage) break;
          after = conn.pageInfo.endCursor;
        }
        const rootView = await h.ok(`query($f: SimFilter) { viewer { sims(first: 50, filter: $f) { edges { node { id } } } } }`, { f: filter }, root.token);
        const expected = ids(rootView.viewer.sims).filter((id: string) => readable.has(id));
        expect([...seen].sort(), JSON.stringify({ filter, orderBy })).toEqual([...expected].sort());
        expect(total, JSON.stringify({ filter, orderBy })).toBe(expected.length);
      }
    }
  });

  it("U4: sim(imsi), node and nodes answer null for an out-of-scope SIM, as for a missing one", async () => {
    const r = await h.ok(
      `query($b: String!, $a: String!, $bid: ID!, $ids: [ID!]!) { out: sim(imsi: $b) { id } in: sim(imsi: $a) { id } node(id: $bid) { id } nodes(ids: $ids) { id } }`,
      { b: b.imsi, a: a.imsi, bid: b.id, ids: [b.id, a.id, c.id] },
      scoped.token,
    );
    expect(r).toEqual({ out: null, in: { id: a.id }, node: null, nodes: [null, { id: a.id }, null] });
  });

  it("U4: a transfer's SIMs follow the same scope", async () => {
    const mine = await h.ok(`{ viewer { simTransfers(direction: OUTGOING, first: 5) { edges { node { imsis } } } } }`, {}, scoped.token);
    expect(mine.viewer.simTransfers.edges.map((e: { node: { imsis: string[] } }) => e.node.imsis)).toEqual([[t1.imsi]]);
    const all = await h.ok(`{ viewer { simTransfers(direction: OUTGOING, first: 5) { edges { node { imsis } } } } }`, {}, root.token);
    expect(all.viewer.simTransfers.edges[0].node.imsis).toEqual([t1.imsi, t2.imsi]);
  });

  it("U4: every mutation on an out-of-scope SIM answers NOT_FOUND; a readable SIM the action is not allowed on answers PERMISSION_DENIED", async () => {
    const single = async (mutation: string, simId: string) =>
      (await h.ok(`mutation($id: ID!) { ${mutation}(input: { simId: $id }) { sim { id } userErrors { code } } }`, { id: simId }, scoped.token))[mutation];
    expect((await single("suspendSim", b.id)).userErrors.map((e: { code: string }) => e.code)).toEqual(["NOT_FOUND"]);
    expect((await single("suspendSim", c.id)).userErrors.map((e: { code: string }) => e.code)).toEqual(["NOT_FOUND"]);
    expect((await single("suspendSim", d.id)).userErrors.map((e: { code: string }) => e.code)).toEqual(["PERMISSION_DENIED"]);
    const update = await h.ok(`mutation($i: UpdateSimInput!) { updateSim(input: $i) { userErrors { code } } }`, { i: { simId: b.id, name: "x" } }, scoped.token);
    expect(update.updateSim.userErrors.map((e: { code: string }) => e.code)).toEqual(["NOT_FOUND"]);
    const suspended = await single("suspendSim", a.id);
    expect(suspended).toEqual({ sim: { id: a.id }, userErrors: [] });
    await single("activateSim", a.id);
  });

  it("U4: bulk calls judge each SIM, results in input order", async () => {
    const r = await h.ok(
      `mutation($i: TerminateSimsInput!) { terminateSims(input: $i) { results { simId userErrors { code } } userErrors { code } } }`,
      { i: { simIds: [b.id, a.id, d.id, c.id] } },
      scoped.token,
    );
    expect(r.terminateSims.results.map((x: { simId: string; userErrors: { code: string }[] }) => [x.simId, x.userErrors.map((e) => e.code)])).toEqual([
      [b.id, ["NOT_FOUND"]],
      [a.id, ["TERMINATION_PROTECTED"]],
      [d.id, ["TERMINATION_PROTECTED"]],
      [c.id, ["NOT_FOUND"]],
    ]);
    const narrower = await testUser(h, root, [
      { effect: "ALLOW", actions: ["Sim:read"], resources: [SCOPE] },
      { effect: "ALLOW", actions: ["Sim:terminateSims"], resources: ["sim:group:g1"] },
    ]);
    const r2 = await h.ok(`mutation($i: TerminateSimsInput!) { terminateSims(input: $i) { results { userErrors { code } } } }`, { i: { simIds: [a.id, d.id] } }, narrower.token);
    expect(r2.terminateSims.results.map((x: { userErrors: { code: string }[] }) => x.userErrors.map((e) => e.code))).toEqual([["PERMISSION_DENIED"], ["TERMINATION_PROTECTED"]]);
  });

  it("U4, S11: applySimAction judges each SIM by the single call's permission too, so a DENY on terminateSim holds in bulk", async () => {
    const bulk = await testUser(h, root, [
      { effect: "ALLOW", actions: ["Sim:read", "Sim:applySimAction", "Sim:suspendSim"], resources: [SCOPE] },
      { effect: "DENY", actions: ["Sim:terminateSim"], resources: ["*"] },
    ]);
    const apply = async (action: string) =>
      (await h.ok(`mutation($i: ApplySimActionInput!) { applySimAction(input: $i) { results { userErrors { code } } userErrors { code } } }`, { i: { simIds: [a.id, b.id], action } }, bulk.token)).applySimAction;
    const codes = (p: { results: { userErrors: { code: string }[] }[] }) => p.results.map((x) => x.userErrors.map((e) => e.code));
    expect(codes(await apply("TERMINATE"))).toEqual([["PERMISSION_DENIED"], ["NOT_FOUND"]]);
    expect(codes(await apply("SET_TO_STANDBY"))).toEqual([["PERMISSION_DENIED"], ["NOT_FOUND"]]);
    const sim = await h.ok(`query($imsi: String!) { sim(imsi: $imsi) { status } }`, { imsi: a.imsi }, root.token);
    expect(sim.sim.status).not.toBe("TERMINATED");
  });

  it("U6: allowedActions drops the actions the user may not take on that SIM", async () => {
    const r = await h.ok(
      `query($a: String!, $d: String!) { a: sim(imsi: $a) { allowedActions } d: sim(imsi: $d) { allowedActions } }`,
      { a: a.imsi, d: d.imsi },
      scoped.token,
    );
    const rootView = await h.ok(`query($a: String!) { sim(imsi: $a) { allowedActions } }`, { a: a.imsi }, root.token);
    expect(rootView.sim.allowedActions).toEqual(expect.arrayContaining(["SUSPEND", "DEACTIVATE"]));
    expect(r.a.allowedActions).toEqual(rootView.sim.allowedActions.filter((x: string) => x === "ACTIVATE" || x === "SUSPEND"));
    expect(r.a.allowedActions).toContain("SUSPEND");
    expect(r.d.allowedActions).toEqual([]);
  });

  it("U4: group, IMSI-prefix and DENY scopes narrow the listing alike", async () => {
    const cases: [string, { effect: "ALLOW" | "DENY"; actions: string[]; resources: string[] }[], string[]][] = [
      ["group", [{ effect: "ALLOW", actions: ["Sim:read"], resources: ["sim:group:g1"] }], [d.id]],
      ["imsi prefix", [{ effect: "ALLOW", actions: ["Sim:read"], resources: [`sim:imsi:${a.imsi.slice(0, 14)}*`] }], [a, b, c, d, t1, t2].filter((s) => s.imsi.startsWith(a.imsi.slice(0, 14))).map((s) => s.id)],
      ["imsi exact", [{ effect: "ALLOW", actions: ["Sim:read"], resources: [`sim:imsi:${b.imsi}`] }], [b.id]],
      [
        "deny",
        [
          { effect: "ALLOW", actions: ["Sim:read"], resources: ["sim:*"] },
          { effect: "DENY", actions: ["Sim:read"], resources: ["sim:tag:site=osaka-*", "sim:group:g1"] },
        ],
        [a.id, c.id, t1.id],
      ],
    ];
    for (const [label, statements, expected] of cases) {
      const user = await testUser(h, root, statements);
      const r = await h.ok(`{ viewer { sims(first: 50) { totalCount edges { node { id } } } } }`, {}, user.token);
      expect([...ids(r.viewer.sims)].sort(), label).toEqual([...expected].sort());
      expect(r.viewer.sims.totalCount, label).toBe(expected.length);
    }
  });

  it("U4: a scoped user's listing with tags and allowedActions costs a bounded number of statements, whatever the page size", async () => {
    const query = `query($n: Int!) { viewer { sims(first: $n) { totalCount edges { node { id tags { name value } allowedActions } } } } }`;
    const one = await sendCounted(h, query, { n: 1 }, scoped.token);
    const all = await sendCounted(h, query, { n: 50 }, scoped.token);
    expect(one.body.errors).toBeUndefined();
    expect(all.body.data.viewer.sims.edges.length).toBe(3);
    // At most one more: the operator's group names, read once per request when a SIM of the page has a group.
    expect(all.statements).toBeLessThanOrEqual(one.statements + 1);
    expect(all.statements).toBeLessThanOrEqual(6);
  });
});
