// S1 listing: filters, order, cursor pages both ways, totalCount, look-up by IMSI, updateSim,
// and a bounded number of SQL statements whatever the page size.
import { describe, expect, it } from "vitest";
import { providerOf } from "@simgate/schema/db/database";
import { rowIdOf } from "@simgate/schema/ids/global-id";
import { lockedOwnSim } from "@simgate/schema/sims/lock";
import { signUp } from "./support/accounts.ts";
import { sendCounted, startHarness } from "./support/harness.ts";
import { snapshot } from "./support/snapshot.ts";
import { ownSims, reportSession, simAction } from "./support/sims.ts";
import { testUser } from "./support/users.ts";

const h = await startHarness();
const op = await signUp(h);
const subscriptions = ["plan01s", "planX3", "plan-D"];
// 30 SIMs: alternating coverage, three plans, names "sim-00".."sim-29".
const sims = await ownSims(h, op, 30, (i) => ({ coverage: i % 2 === 0 ? "GLOBAL" : "JAPAN", subscription: subscriptions[i % 3]! }));
const UPDATE = `mutation($i: UpdateSimInput!) { updateSim(input: $i) { sim { name tags { name value } } userErrors { code field } } }`;
for (const [i, s] of sims.entries()) {
  const tags = [{ name: "site", value: i < 10 ? "tokyo-1" : i < 20 ? "tokyo-2" : "Osaka" }, { name: "rack", value: String(i % 4) }];
  await h.ok(UPDATE, { i: { simId: s.id, name: `sim-${String(i).padStart(2, "0")}`, tags } }, op.token);
}
await simAction(h, op, "activateSim", sims[0]!.id);
await simAction(h, op, "suspendSim", sims[1]!.id);
await reportSession(h, sims[2]!.imsi, true);

const LIST = `query($first: Int, $after: String, $last: Int, $before: String, $filter: SimFilter, $orderBy: SimOrder) {
  viewer { sims(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
    totalCount pageInfo { hasNextPage hasPreviousPage startCursor endCursor } edges { cursor node { imsi name status } } } } }`;

type Page = { totalCount: number; pageInfo: { hasNextPage: boolean; hasPreviousPage: boolean; startCursor: string; endCursor: string }; edges: { node: { imsi: string; name: string; status: string } }[] };

async function list(vars: Record<string, unknown>): Promise<Page> {
  return (await h.ok(LIST, vars, op.token)).viewer.sims;
}
const names = (p: Page) => p.edges.map((e) => e.node.name);
const nameOf = (i: number) => `sim-${String(i).padStart(2, "0")}`;

describe("S1 filters", () => {
  it.each([
    ["coverage", { coverage: "JAPAN" }, (i: number) => i % 2 === 1],
    ["status", { status: ["ACTIVE", "SUSPENDED"] }, (i: number) => i === 0 || i === 1 || i === 2],
    ["subscription", { subscription: ["planX3", "plan-D"] }, (i: number) => i % 3 !== 0],
    ["tag exact", { tag: { name: "site", value: "tokyo-1" } }, (i: number) => i < 10],
    ["tag prefix", { tag: { name: "site", value: "tokyo", match: "PREFIX" } }, (i: number) => i < 20],
    ["tag prefix is case-sensitive", { tag: { name: "site", value: "osaka", match: "PREFIX" } }, () => false],
    ["sessionOnline", { sessionOnline: true }, (i: number) => i === 2],
    ["search by name, any case", { search: "SIM-1" }, (i: number) => i >= 10 && i < 20],
    ["search treats % and _ literally", { search: "sim_0" }, () => false],
    ["everything at once", { coverage: "GLOBAL", subscription: ["plan01s"], tag: { name: "rack", value: "0" } }, (i: number) => i % 2 === 0 && i % 3 === 0 && i % 4 === 0],
  ])("S1: %s", async (_name, filter, expected) => {
    const page = await list({ first: 100, filter, orderBy: { field: "NAME" } });
    const want = sims.map((_, i) => i).filter(expected).map(nameOf);
    expect(names(page)).toEqual(want);
    expect(page.totalCount).toBe(want.length);
  });

  it("S1: search matches IMSI, ICCID and MSISDN fragments", async () => {
    const sample = sims[7]!;
    const row = await h.app.db.sim.findUniqueOrThrow({ where: { imsi: sample.imsi } });
    for (const fragment of [sample.imsi.slice(-6), row.iccid.slice(-9), row.msisdn!.slice(-7)]) {
      expect(names(await list({ first: 5, filter: { search: fragment } }))).toEqual([nameOf(7)]);
    }
  });
});

describe("S1 order and cursor pages", () => {
  it.each([
    ["NAME", "ASC", (a: string[]) => [...a].sort()],
    ["NAME", "DESC", (a: string[]) => [...a].sort().reverse()],
  ] as const)("S1: orders by %s %s", async (field, direction, order) => {
    const page = await list({ first: 100, orderBy: { field, direction } });
    expect(names(page)).toEqual(order(sims.map((_, i) => nameOf(i))));
  });

  it("S1: orders by CREATED_AT (registration), both directions", async () => {
    const asc = await list({ first: 100, orderBy: { field: "CREATED_AT" } });
    const desc = await list({ first: 100, orderBy: { field: "CREATED_AT", direction: "DESC" } });
    expect(names(desc)).toEqual([...names(asc)].reverse());
    const registered = await h.app.db.sim.findMany({ where: { imsi: { in: asc.edges.map((e) => e.node.imsi) } }, select: { imsi: true, registeredAt: true } });
    const at = new Map(registered.map((r) => [r.imsi, r.registeredAt!.getTime()]));
    const times = asc.edges.map((e) => at.get(e.node.imsi)!);
    expect(times).toEqual([...times].sort((a, b) => a - b));
  });

  it("S1: orders by IMSI and by STATUS (ties by ID)", async () => {
    const byImsi = await list({ first: 100, orderBy: { field: "IMSI" } });
    expect(byImsi.edges.map((e) => e.node.imsi)).toEqual([...sims.map((s) => s.imsi)].sort());
    const byStatus = await list({ first: 100, orderBy: { field: "STATUS" } });
    const statuses = byStatus.edges.map((e) => e.node.status);
    expect(statuses).toEqual([...statuses].sort());
    expect(statuses.slice(0, 2)).toEqual(["ACTIVE", "ACTIVE"]);
  });

  it("S1: pages forward with first/after and back with last/before, never skipping or repeating", async () => {
    const seen: string[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = await list({ first: 7, after, orderBy: { field: "NAME" } });
      expect(page.totalCount).toBe(30);
      seen.push(...names(page));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(5);
    expect(seen).toEqual(sims.map((_, i) => nameOf(i)));

    const back: string[] = [];
    let before: string | undefined;
    for (;;) {
      const page = await list({ last: 8, before, orderBy: { field: "NAME" } });
      back.unshift(...names(page));
      if (!page.pageInfo.hasPreviousPage) break;
      before = page.pageInfo.startCursor;
    }
    expect(back).toEqual(seen);
  });

  it("a cursor from another listing or of garbage is a clear error, not a 500", async () => {
    const r = await h.gql(LIST, { first: 5, after: "bm90LWEtY3Vyc29y" }, op.token);
    expect(JSON.stringify(r)).not.toContain("INTERNAL_SERVER_ERROR");
  });
});

describe("S1 listing: the hand-written SQL path answers what Prisma's does", () => {
  // A plain selection (columns, tags) runs as hand-written SQL (sims/listing-sql.ts); asking for
  // statusHistory too sends the same listing through Prisma. Both must list the same SIMs.
  const node = `imsi name status coverage subscription sessionOnline terminationProtected createdAt expiry { action } tags { name value }`;
  const query = (extra: string) => `query($first: Int, $after: String, $last: Int, $before: String, $filter: SimFilter, $orderBy: SimOrder) {
    viewer { sims(first: $first, after: $after, last: $last, before: $before, filter: $filter, orderBy: $orderBy) {
      totalCount pageInfo { hasNextPage hasPreviousPage endCursor startCursor } edges { cursor node { ${node} ${extra} } } } } }`;
  const SQL = query("");
  const PRISMA = query("statusHistory(first: 1) { totalCount }");
  type Listed = { totalCount: number; pageInfo: Page["pageInfo"]; edges: { cursor: string; node: Record<string, unknown> }[] };
  const strip = (p: Listed) => ({ ...p, edges: p.edges.map((e) => ({ cursor: e.cursor, node: { ...e.node, statusHistory: undefined } })) });
  const filters = [
    null,
    { coverage: "GLOBAL" },
    { status: ["ACTIVE", "SUSPENDED", "TERMINATED"] },
    { subscription: ["planX3"] },
    { tag: { name: "site", value: "tokyo", match: "PREFIX" } },
    { tag: { name: "rack", value: "1" } },
    { sessionOnline: false },
    { search: "sim-2" },
    { coverage: "JAPAN", subscription: ["plan01s", "plan-D"], status: ["READY", "ACTIVE", "INACTIVE"] },
  ];
  const orders = (["CREATED_AT", "IMSI", "NAME", "STATUS"] as const).flatMap((field) => (["ASC", "DESC"] as const).map((direction) => ({ field, direction })));

  it.each(filters.map((filter) => [JSON.stringify(filter), filter]))("S1: filter %s, every order, forward and back pages", async (_name, filter) => {
    for (const orderBy of orders) {
      for (const vars of [{ first: 4 }, { last: 4 }]) {
        const sql = (await h.ok(SQL, { ...vars, filter, orderBy }, op.token)).viewer.sims as Listed;
        const prisma = (await h.ok(PRISMA, { ...vars, filter, orderBy }, op.token)).viewer.sims as Listed;
        expect(strip(sql)).toEqual(strip(prisma));
        const next = "first" in vars ? { first: 4, after: sql.pageInfo.endCursor } : { last: 4, before: sql.pageInfo.startCursor };
        if (sql.edges.length === 0) continue;
        const sql2 = (await h.ok(SQL, { ...next, filter, orderBy }, op.token)).viewer.sims as Listed;
        const prisma2 = (await h.ok(PRISMA, { ...next, filter, orderBy }, op.token)).viewer.sims as Listed;
        expect(strip(sql2)).toEqual(strip(prisma2));
      }
    }
  });

  it("S1: the plain path costs three statements besides the session: counters, page, tags", async () => {
    h.statements.reset();
    h.statements.counting = true;
    const data = await h.ok(`query { viewer { sims(first: 20, filter: { coverage: GLOBAL }) { totalCount edges { node { id imsi tags { name } } } } } }`, {}, op.token);
    h.statements.counting = false;
    expect(data.viewer.sims.edges).toHaveLength(15);
    // Session, live counters, terminated SIMs still listed, page, tags.
    expect(h.statements.count).toBe(5);
  });
});

describe("S1 look-up and update", () => {
  it("S1, S6, S7: each single-SIM change sets updatedAt to the time of the change, and changes only its own columns", async () => {
    const id = sims[28]!.id;
    const READ_BACK = `query($id: ID!) { node(id: $id) { ... on Sim { name updatedAt terminationProtected expiry { action expiresAt } } } }`;
    const changes: [string, string, Record<string, unknown>][] = [
      ["updateSim", "UpdateSimInput", { name: "stamped" }],
      ["setSimTerminationProtection", "SetSimTerminationProtectionInput", { enabled: false }],
      ["setSimExpiry", "SetSimExpiryInput", { expiresAt: "2031-01-02T03:04:05.000Z", action: "SUSPEND" }],
      ["clearSimExpiry", "SimInput", {}],
    ];
    try {
      for (const [i, [mutation, input, fields]] of changes.entries()) {
        // Minutes ahead, whole seconds: within the session's lifetime, distinct for each change.
        const at = new Date(Math.floor(Date.now() / 1000) * 1000 + (i + 1) * 60_000);
        h.clock.freeze(at);
        const data = await h.ok(`mutation($i: ${input}!) { ${mutation}(input: $i) { userErrors { code } } }`, { i: { simId: id, ...fields } }, op.token);
        expect(data[mutation].userErrors, mutation).toEqual([]);
        const sim = (await h.ok(READ_BACK, { id }, op.token)).node;
        expect(sim.updatedAt, mutation).toBe(at.toISOString());
        expect(sim.name, mutation).toBe("stamped");
        expect(sim.terminationProtected, mutation).toBe(i === 0);
        expect(sim.expiry, mutation).toEqual(i === 2 ? { action: "SUSPEND", expiresAt: "2031-01-02T03:04:05.000Z" } : null);
      }
    } finally {
      h.clock.reset();
    }
  });

  it("S1, S6, S7: a single-SIM change answers its payload's columns from the row it wrote, as a later read sees them, with no statement after the commit", async () => {
    const id = sims[27]!.id;
    const FIELDS = `id imsi name status updatedAt terminationProtected expiry { action expiresAt }`;
    const setExpiry = (expiresAt: string) =>
      h.ok(`mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`, { i: { simId: id, expiresAt, action: "SUSPEND" } }, op.token);
    // Each change twice, both real changes (an unchanged value appends no event): once without the
    // SIM in its payload, once with it.
    const changes: [string, string, Record<string, unknown>, Record<string, unknown>, (() => Promise<unknown>)?][] = [
      ["updateSim", "UpdateSimInput", { name: "written-1" }, { name: "written-2" }],
      ["setSimTerminationProtection", "SetSimTerminationProtectionInput", { enabled: false }, { enabled: true }],
      ["setSimExpiry", "SetSimExpiryInput", { expiresAt: "2032-03-04T05:06:07.000Z", action: "SUSPEND" }, { expiresAt: "2033-03-04T05:06:07.000Z", action: "SUSPEND" }],
      ["clearSimExpiry", "SimInput", {}, {}, () => setExpiry("2034-01-01T00:00:00.000Z")],
    ];
    let minute = 0;
    try {
      for (const [mutation, input, first, second, before] of changes) {
        h.clock.freeze(new Date(Math.floor(Date.now() / 1000) * 1000 + ++minute * 60_000));
        await before?.();
        const without = await sendCounted(h, `mutation($i: ${input}!) { ${mutation}(input: $i) { userErrors { code } } }`, { i: { simId: id, ...first } }, op.token);
        expect(without.body.data![mutation].userErrors, mutation).toEqual([]);
        h.clock.freeze(new Date(Math.floor(Date.now() / 1000) * 1000 + ++minute * 60_000));
        await before?.();
        const withSim = await sendCounted(h, `mutation($i: ${input}!) { ${mutation}(input: $i) { sim { ${FIELDS} } userErrors { code } } }`, { i: { simId: id, ...second } }, op.token);
        expect(withSim.body.data![mutation].userErrors, mutation).toEqual([]);
        // What a later read sees, and no statement more than the same change without the SIM.
        const later = (await h.ok(`query($id: ID!) { node(id: $id) { ... on Sim { ${FIELDS} } } }`, { id }, op.token)).node;
        expect(withSim.body.data![mutation].sim, mutation).toEqual(later);
        expect(withSim.statements, mutation).toBe(without.statements);
      }
    } finally {
      h.clock.reset();
      await h.ok(UPDATE, { i: { simId: id, name: nameOf(27) } }, op.token);
    }
  });

  it("S1, O4: a single-SIM change's locked read answers every column as Prisma reads the SIM, and nothing of another operator's", async () => {
    const id = rowIdOf("Sim", sims[24]!.id)!;
    const set = await h.ok(`mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`, { i: { simId: sims[24]!.id, expiresAt: "2035-06-07T08:09:10.123Z", action: "SUSPEND" } }, op.token);
    expect(set.setSimExpiry.userErrors).toEqual([]);
    const db = h.app.db;
    const locked = (operatorId: string) => db.$transaction((tx) => lockedOwnSim(tx, providerOf(db), operatorId, id));
    const prismas = await db.sim.findUniqueOrThrow({ where: { id } });
    expect(prismas.expiresAt).not.toBeNull();
    expect(await locked(rowIdOf("Operator", op.id)!)).toStrictEqual(prismas);
    const other = await signUp(h);
    expect(await locked(rowIdOf("Operator", other.id)!)).toBeNull();
    await h.ok(`mutation($i: SimInput!) { clearSimExpiry(input: $i) { userErrors { code } } }`, { i: { simId: sims[24]!.id } }, op.token);
  });

  it("S1, V1: updateSim with the name the SIM already has stamps updatedAt and is audited, with no event", async () => {
    const id = sims[25]!.id;
    const lastEvent = async () => (await h.ok(`{ viewer { events(first: 1000) { edges { node { sequence } } } } }`, {}, op.token)).viewer.events.edges.at(-1)?.node.sequence;
    const before = await lastEvent();
    const at = new Date(Math.floor(Date.now() / 1000) * 1000 + 30 * 60_000);
    h.clock.freeze(at);
    try {
      const same = (await h.ok(`mutation($i: UpdateSimInput!) { updateSim(input: $i) { sim { name updatedAt } userErrors { code } } }`, { i: { simId: id, name: nameOf(25) } }, op.token)).updateSim;
      expect(same).toEqual({ sim: { name: nameOf(25), updatedAt: at.toISOString() }, userErrors: [] });
    } finally {
      h.clock.reset();
    }
    expect((await h.ok(`query($id: ID!) { node(id: $id) { ... on Sim { updatedAt } } }`, { id }, op.token)).node.updatedAt).toBe(at.toISOString());
    expect(await lastEvent()).toBe(before);
    const log = await h.ok(`{ viewer { auditLog(first: 1, filter: { action: "updateSim" }) { edges { node { result targetIds } } } } }`, {}, op.token);
    expect(log.viewer.auditLog.edges[0].node).toEqual({ result: "SUCCEEDED", targetIds: [id] });
  });

  it("S1, U4: a payload asking for a relation, or seen by a user whose reads are scoped, reads the SIM again as it is now", async () => {
    const id = sims[26]!.id;
    // Tags are not columns: they come from a read after the commit.
    const retagged = (await h.ok(UPDATE, { i: { simId: id, tags: [{ name: "site", value: "tokyo-9" }] } }, op.token)).updateSim;
    expect(retagged.sim).toEqual({ name: nameOf(26), tags: [{ name: "site", value: "tokyo-9" }] });
    // A user who may read and change tokyo SIMs moves this one out of its reach: its payload says so.
    const user = await testUser(h, op, [{ effect: "ALLOW", actions: ["Sim:read", "Sim:updateSim"], resources: ["sim:tag:site=tokyo-*"] }]);
    const moved = (await h.ok(`mutation($i: UpdateSimInput!) { updateSim(input: $i) { sim { name } userErrors { code } } }`, { i: { simId: id, tags: [{ name: "site", value: "Osaka" }] } }, user.token)).updateSim;
    expect(moved).toEqual({ sim: null, userErrors: [] });
    // Renamed while still in reach: the user sees the new name.
    await h.ok(UPDATE, { i: { simId: id, tags: [{ name: "site", value: "tokyo-9" }] } }, op.token);
    const renamed = (await h.ok(`mutation($i: UpdateSimInput!) { updateSim(input: $i) { sim { name } userErrors { code } } }`, { i: { simId: id, name: "in reach" } }, user.token)).updateSim;
    expect(renamed).toEqual({ sim: { name: "in reach" }, userErrors: [] });
    await h.ok(UPDATE, { i: { simId: id, name: nameOf(26), tags: [{ name: "site", value: "Osaka" }, { name: "rack", value: String(26 % 4) }] } }, op.token);
  });

  it("sim(imsi) finds the viewer's SIM; another operator's IMSI is null (O4)", async () => {
    const other = await signUp(h);
    expect((await h.ok(`query($imsi: String!) { sim(imsi: $imsi) { name } }`, { imsi: sims[3]!.imsi }, op.token)).sim).toEqual({ name: nameOf(3) });
    expect((await h.ok(`query($imsi: String!) { sim(imsi: $imsi) { name } }`, { imsi: sims[3]!.imsi }, other.token)).sim).toBeNull();
    expect((await h.ok(`query($imsi: String!) { sim(imsi: $imsi) { name } }`, { imsi: "x".repeat(1000) }, op.token)).sim).toBeNull();
  });

  it("updateSim: fields left out stay; tags replace; empty name removes it", async () => {
    const id = sims[29]!.id;
    const renamed = (await h.ok(UPDATE, { i: { simId: id, name: "renamed" } }, op.token)).updateSim;
    expect(renamed.sim.name).toBe("renamed");
    expect(renamed.sim.tags).toHaveLength(2);
    const retagged = (await h.ok(UPDATE, { i: { simId: id, tags: [{ name: "only", value: "one" }] } }, op.token)).updateSim;
    expect(retagged.sim).toEqual({ name: "renamed", tags: [{ name: "only", value: "one" }] });
    const cleared = (await h.ok(UPDATE, { i: { simId: id, name: "", tags: [] } }, op.token)).updateSim;
    expect(cleared.sim).toEqual({ name: null, tags: [] });
    await h.ok(UPDATE, { i: { simId: id, name: nameOf(29), tags: [{ name: "site", value: "Osaka" }, { name: "rack", value: "1" }] } }, op.token);
  });

  it.each([
    ["empty tag name", { tags: [{ name: "", value: "x" }] }, ["input", "tags", "0", "name"]],
    ["duplicate tag names", { tags: [{ name: "a", value: "1" }, { name: "a", value: "2" }] }, ["input", "tags", "1", "name"]],
    ["over-long name", { name: "n".repeat(101) }, ["input", "name"]],
  ])("updateSim refuses %s and changes nothing", async (_n, patch, field) => {
    const before = await snapshot(h.app.db);
    const r = (await h.ok(UPDATE, { i: { simId: sims[5]!.id, ...patch } }, op.token)).updateSim;
    expect(r).toEqual({ sim: null, userErrors: [{ code: "INVALID_INPUT", field }] });
    expect(await snapshot(h.app.db)).toBe(before);
  });
});

describe("no N+1", () => {
  const DEEP = `query($first: Int) { viewer { sims(first: $first) { totalCount edges { node {
    imsi tags { name value } expiry { action } allowedActions
    statusHistory(first: 5) { totalCount edges { node { from to cause } } } } } } } }`;

  it("sims(first: N) { tags statusHistory(first: 5) } costs the same number of statements for N = 3, 10 and 30", async () => {
    const counts: number[] = [];
    for (const first of [3, 10, 30]) {
      h.statements.reset();
      h.statements.counting = true;
      const data = await h.ok(DEEP, { first }, op.token);
      h.statements.counting = false;
      expect(data.viewer.sims.edges).toHaveLength(first);
      expect(data.viewer.sims.edges[0].node.statusHistory.edges.length).toBeGreaterThan(0);
      counts.push(h.statements.count);
    }
    expect(new Set(counts).size).toBe(1);
    expect(counts[0]).toBeLessThanOrEqual(12);
  });
});
