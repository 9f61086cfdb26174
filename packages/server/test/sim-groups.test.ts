// G1–G3: SIM groups through the API, on both engines.
import { describe, expect, it } from "vitest";
import { signUp, type TestOperator } from "./support/accounts.ts";
import { sendCounted, startHarness } from "./support/harness.ts";
import { snapshot } from "./support/snapshot.ts";
import { ownSims, setProtection, simAction } from "./support/sims.ts";
import { decide, issued, payByCard } from "./support/transfers.ts";

// The races below need more of one operator's writes in flight at once than the fair-use gate
// admits by default (2): with a larger gate they really overlap in the database.
const h = await startHarness({ env: { SIMGATE_MAX_CONCURRENT_WRITES_PER_OPERATOR: "20", SIMGATE_WRITE_QUEUE_TIMEOUT_MS: "20000" } });

const rowId = (globalId: string) => Buffer.from(globalId, "base64").toString().split(":")[1]!;
const foreignGroupId = (n = 1) => Buffer.from(`SimGroup:0190f0f0-0000-7000-8000-00000000000${n}`).toString("base64");

const GROUP = `id name description simCount createdAt`;
const CREATE = `mutation($i: CreateSimGroupInput!) { createSimGroup(input: $i) { group { ${GROUP} } userErrors { code field } } }`;
const UPDATE = `mutation($i: UpdateSimGroupInput!) { updateSimGroup(input: $i) { group { ${GROUP} } userErrors { code field } } }`;
const DELETE = `mutation($id: ID!) { deleteSimGroup(input: { groupId: $id }) { deletedGroupId userErrors { code field } } }`;
const SET = `mutation($ids: [ID!]!, $g: ID) { setSimGroup(input: { simIds: $ids, groupId: $g }) {
  results { simId sim { id group { id } } userErrors { code field } } userErrors { code field } } }`;

async function createGroup(op: TestOperator, name: string, description?: string) {
  const r = (await h.ok(CREATE, { i: { name, description } }, op.token)).createSimGroup;
  expect(r.userErrors).toEqual([]);
  return r.group as { id: string; name: string; simCount: number };
}

async function setGroup(op: TestOperator, ids: string[], groupId: string | null) {
  return (await h.ok(SET, { ids, g: groupId }, op.token)).setSimGroup as {
    results: { simId: string; sim: { id: string; group: { id: string } | null } | null; userErrors: { code: string; field: string[] }[] }[];
    userErrors: { code: string; field: string[] }[];
  };
}

async function simCountOf(op: TestOperator, groupId: string): Promise<number | null> {
  return (await h.ok(`query($id: ID!) { node(id: $id) { ... on SimGroup { simCount } } }`, { id: groupId }, op.token)).node?.simCount ?? null;
}

async function terminate(op: TestOperator, simId: string) {
  await setProtection(h, op, simId, false);
  expect((await simAction(h, op, "terminateSim", simId)).userErrors).toEqual([]);
}

/** Tokens last at most 48 h: after moving the clock, the operator signs in again. */
async function signIn(op: TestOperator): Promise<string> {
  const r = await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: op.email, password: op.password } });
  return r.authenticate.token;
}

describe("G1 groups", () => {
  it("G1: creates, renames and lists groups, oldest first, by cursor pages with totalCount; node(id) answers the group, null to another operator", async () => {
    const op = await signUp(h);
    const a = await createGroup(op, "fleet-a", "Tokyo trucks");
    const b = await createGroup(op, "fleet_b.2");
    const c = await createGroup(op, "Z");
    expect(a).toMatchObject({ name: "fleet-a", description: "Tokyo trucks", simCount: 0 });
    const renamed = (await h.ok(UPDATE, { i: { groupId: b.id, name: "fleet-b", description: "Osaka" } }, op.token)).updateSimGroup;
    expect(renamed).toMatchObject({ group: { id: b.id, name: "fleet-b", description: "Osaka" }, userErrors: [] });
    const cleared = (await h.ok(UPDATE, { i: { groupId: b.id, description: "" } }, op.token)).updateSimGroup;
    expect(cleared.group).toMatchObject({ name: "fleet-b", description: null });

    const PAGE = `query($after: String) { viewer { simGroups(first: 2, after: $after) { totalCount pageInfo { hasNextPage endCursor } edges { node { id name } } } } }`;
    const first = (await h.ok(PAGE, {}, op.token)).viewer.simGroups;
    expect(first.totalCount).toBe(3);
    expect(first.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([a.id, b.id]);
    expect(first.pageInfo.hasNextPage).toBe(true);
    const second = (await h.ok(PAGE, { after: first.pageInfo.endCursor }, op.token)).viewer.simGroups;
    expect(second.edges.map((e: { node: { id: string } }) => e.node.id)).toEqual([c.id]);
    expect(second.pageInfo.hasNextPage).toBe(false);

    const other = await signUp(h);
    const NODE = `query($id: ID!) { node(id: $id) { id ... on SimGroup { name } } }`;
    expect((await h.ok(NODE, { id: a.id }, op.token)).node).toEqual({ id: a.id, name: "fleet-a" });
    expect((await h.ok(NODE, { id: a.id }, other.token)).node).toBeNull();
    expect((await h.ok(`{ viewer { simGroups(first: 5) { totalCount } } }`, {}, other.token)).viewer.simGroups.totalCount).toBe(0);
    // Another operator can neither rename nor delete it.
    expect((await h.ok(UPDATE, { i: { groupId: a.id, name: "mine" } }, other.token)).updateSimGroup.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "groupId"] }]);
    expect((await h.ok(DELETE, { id: a.id }, other.token)).deleteSimGroup.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "groupId"] }]);
  });

  it("G1: a name outside 1–100 of A–Z a–z 0–9 . _ - is INVALID_INPUT; a name taken in the operator is GROUP_NAME_TAKEN, on create and rename; other operators may use it", async () => {
    const op = await signUp(h);
    for (const name of ["", "has space", "ümlaut", "slash/", "x".repeat(101)]) {
      const r = (await h.ok(CREATE, { i: { name } }, op.token)).createSimGroup;
      expect(r, name).toEqual({ group: null, userErrors: [{ code: "INVALID_INPUT", field: ["input", "name"] }] });
    }
    expect((await h.ok(CREATE, { i: { name: "x".repeat(100) } }, op.token)).createSimGroup.userErrors).toEqual([]);
    await createGroup(op, "taken");
    const other = await createGroup(op, "other");
    expect((await h.ok(CREATE, { i: { name: "taken" } }, op.token)).createSimGroup.userErrors).toEqual([{ code: "GROUP_NAME_TAKEN", field: ["input", "name"] }]);
    expect((await h.ok(UPDATE, { i: { groupId: other.id, name: "taken" } }, op.token)).updateSimGroup.userErrors).toEqual([{ code: "GROUP_NAME_TAKEN", field: ["input", "name"] }]);
    expect((await h.ok(UPDATE, { i: { groupId: other.id, name: "bad name" } }, op.token)).updateSimGroup.userErrors).toEqual([{ code: "INVALID_INPUT", field: ["input", "name"] }]);
    const second = await signUp(h);
    expect((await createGroup(second, "taken")).name).toBe("taken");
  });

  it("G1: 20 concurrent creates of one name: exactly one wins, the rest are GROUP_NAME_TAKEN", async () => {
    const op = await signUp(h);
    const results = await Promise.all(Array.from({ length: 20 }, () => h.ok(CREATE, { i: { name: "same" } }, op.token)));
    const codes = results.map((r) => r.createSimGroup.userErrors[0]?.code ?? "OK");
    expect(codes.filter((c) => c === "OK")).toHaveLength(1);
    expect(codes.filter((c) => c === "GROUP_NAME_TAKEN")).toHaveLength(19);
    expect(await h.app.db.simGroup.count({ where: { operatorId: rowId(op.id) } })).toBe(1);
  });

  it("G1: an operator has at most 1,000 groups (GROUP_LIMIT_EXCEEDED), also when creates race past the limit", async () => {
    const op = await signUp(h);
    await h.app.db.simGroup.createMany({ data: Array.from({ length: 995 }, (_, i) => ({ operatorId: rowId(op.id), name: `pre-${i}` })) });
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => h.ok(CREATE, { i: { name: `race-${i}` } }, op.token)));
    const codes = results.map((r) => r.createSimGroup.userErrors[0]?.code ?? "OK");
    expect(codes.filter((c) => c === "OK")).toHaveLength(5);
    expect(codes.filter((c) => c === "GROUP_LIMIT_EXCEEDED")).toHaveLength(7);
    expect(await h.app.db.simGroup.count({ where: { operatorId: rowId(op.id) } })).toBe(1000);
    expect((await h.ok(`{ viewer { simGroups(first: 1) { totalCount } } }`, {}, op.token)).viewer.simGroups.totalCount).toBe(1000);
    // Deleting one makes room again.
    const one = await h.app.db.simGroup.findFirstOrThrow({ where: { operatorId: rowId(op.id), name: "pre-0" } });
    expect((await h.ok(DELETE, { id: Buffer.from(`SimGroup:${one.id}`).toString("base64") }, op.token)).deleteSimGroup.userErrors).toEqual([]);
    expect((await h.ok(CREATE, { i: { name: "room" } }, op.token)).createSimGroup.userErrors).toEqual([]);
  });

  it("G1: setSimGroup puts SIMs in, moves them between groups and takes them out; one result per SIM in input order; simCount follows; one audit entry names the SIMs and the group", async () => {
    const op = await signUp(h);
    const other = await signUp(h);
    const [foreign] = await ownSims(h, other, 1);
    const [a, b, c, dead, moving] = await ownSims(h, op, 5);
    const dest = await signUp(h);
    await issued(h, op, dest, [moving!.id]);
    await terminate(op, dead!.id);
    const g1 = await createGroup(op, "one");
    const g2 = await createGroup(op, "two");

    const ids = [a!.id, b!.id, foreign!.id, dead!.id, moving!.id, a!.id];
    const r = await setGroup(op, ids, g1.id);
    expect(r.userErrors).toEqual([]);
    expect(r.results.map((x) => x.simId)).toEqual(ids);
    expect(r.results.map((x) => [x.sim?.group?.id ?? null, x.userErrors.map((e) => e.code)])).toEqual([
      [g1.id, []],
      [g1.id, []],
      [null, ["NOT_FOUND"]],
      [null, ["SIM_TERMINATED"]],
      [null, ["SIM_TRANSFERRING"]],
      [g1.id, ["INVALID_INPUT"]],
    ]);
    expect(r.results[2]!.userErrors[0]!.field).toEqual(["input", "simIds", "2"]);
    expect(await simCountOf(op, g1.id)).toBe(2);
    const log = await h.ok(`{ viewer { auditLog(first: 1) { edges { node { action result errorCodes targetIds } } } } }`, {}, op.token);
    expect(log.viewer.auditLog.edges[0].node).toMatchObject({ action: "setSimGroup", result: "SUCCEEDED", errorCodes: ["NOT_FOUND", "SIM_TERMINATED", "SIM_TRANSFERRING", "INVALID_INPUT"] });
    expect(log.viewer.auditLog.edges[0].node.targetIds).toEqual(expect.arrayContaining([a!.id, b!.id, dead!.id, g1.id]));

    // A SIM is in one group at most: moving it takes it out of the first.
    expect((await setGroup(op, [b!.id, c!.id], g2.id)).results.every((x) => x.userErrors.length === 0)).toBe(true);
    expect([await simCountOf(op, g1.id), await simCountOf(op, g2.id)]).toEqual([1, 2]);
    // Again into the group it is in: nothing to do, no error.
    expect((await setGroup(op, [b!.id], g2.id)).results[0]!.userErrors).toEqual([]);
    expect(await simCountOf(op, g2.id)).toBe(2);

    // A terminated SIM keeps its group and may be taken out of it.
    await terminate(op, c!.id);
    expect(await simCountOf(op, g2.id)).toBe(2);
    const out = await setGroup(op, [c!.id, a!.id], null);
    expect(out.results.map((x) => [x.sim?.group, x.userErrors])).toEqual([
      [null, []],
      [null, []],
    ]);
    expect([await simCountOf(op, g1.id), await simCountOf(op, g2.id)]).toEqual([0, 1]);
  });

  it("G1: an unknown, malformed or foreign group is NOT_FOUND at input.groupId and changes nothing", async () => {
    const op = await signUp(h);
    const other = await signUp(h);
    const theirs = await createGroup(other, "theirs");
    const [sim] = await ownSims(h, op, 1);
    const mine = await createGroup(op, "mine");
    await setGroup(op, [sim!.id], mine.id);
    for (const groupId of [theirs.id, foreignGroupId(), "not-an-id", sim!.id]) {
      const before = await snapshot(h.app.db);
      const r = await setGroup(op, [sim!.id], groupId);
      expect(r, groupId).toEqual({ results: [], userErrors: [{ code: "NOT_FOUND", field: ["input", "groupId"] }] });
      expect(await snapshot(h.app.db)).toBe(before);
    }
    expect(await simCountOf(op, mine.id)).toBe(1);
    expect(await simCountOf(other, theirs.id)).toBe(0);
  });

  it("G1: 1,000 SIMs move in one call with a bounded number of statements; 1,001 are TOO_MANY_ITEMS and change nothing", async () => {
    const op = await signUp(h);
    const sims = await ownSims(h, op, 1000);
    const ids = sims.map((s) => s.id);
    const group = await createGroup(op, "big");
    const counted = await sendCounted(h, `mutation($ids: [ID!]!, $g: ID) { setSimGroup(input: { simIds: $ids, groupId: $g }) { results { userErrors { code } } userErrors { code } } }`, { ids, g: group.id }, op.token);
    expect(counted.body.errors).toBeUndefined();
    const r = counted.body.data.setSimGroup;
    expect(r.userErrors).toEqual([]);
    expect(r.results.every((x: { userErrors: unknown[] }) => x.userErrors.length === 0)).toBe(true);
    // Locking and chunked look-up (250 IDs), chunked update (400), group lock and read, audit, transaction control.
    expect(counted.statements, counted.text.slice(0, 200)).toBeLessThan(30);
    console.info(`setSimGroup of 1,000 SIMs: ${counted.statements} statements`);
    expect(await simCountOf(op, group.id)).toBe(1000);
    const before = await snapshot(h.app.db);
    const tooMany = await setGroup(op, [...ids, ids[0]!], null);
    expect(tooMany).toEqual({ results: [], userErrors: [{ code: "TOO_MANY_ITEMS", field: ["input", "simIds"] }] });
    expect(await snapshot(h.app.db)).toBe(before);
  }, 180_000);

  it("G1: listings filter by group (plain and Prisma paths alike), totalCount counts live, a malformed or foreign groupId matches nothing", async () => {
    const op = await signUp(h);
    const other = await signUp(h);
    const [x] = await ownSims(h, other, 1);
    const theirs = await createGroup(other, "theirs");
    await setGroup(other, [x!.id], theirs.id);
    const sims = await ownSims(h, op, 5);
    const g = await createGroup(op, "listed");
    const inGroup = [sims[0]!.id, sims[2]!.id, sims[4]!.id];
    await setGroup(op, inGroup, g.id);
    const PLAIN = `query($f: SimFilter) { viewer { sims(first: 10, filter: $f) { totalCount edges { node { id } } } } }`;
    const PRISMA = `query($f: SimFilter) { viewer { sims(first: 10, filter: $f) { totalCount edges { node { id group { name } statusHistory(first: 1) { totalCount } } } } } }`;
    for (const query of [PLAIN, PRISMA]) {
      const listed = (await h.ok(query, { f: { groupId: g.id } }, op.token)).viewer.sims;
      expect(listed.totalCount).toBe(3);
      // Registered concurrently: their listing order is their registration instants', not the input's.
      expect(listed.edges.map((e: { node: { id: string } }) => e.node.id).sort()).toEqual([...inGroup].sort());
      const withStatus = (await h.ok(query, { f: { groupId: g.id, status: ["READY"] } }, op.token)).viewer.sims;
      expect(withStatus.totalCount).toBe(3);
      for (const groupId of [theirs.id, foreignGroupId(2), "garbage", sims[0]!.id]) {
        const none = (await h.ok(query, { f: { groupId } }, op.token)).viewer.sims;
        expect(none, groupId).toEqual({ totalCount: 0, edges: [] });
      }
    }
    const grouped = (await h.ok(PRISMA, { f: { groupId: g.id } }, op.token)).viewer.sims.edges;
    expect(grouped.map((e: { node: { group: { name: string } } }) => e.node.group.name)).toEqual(["listed", "listed", "listed"]);
    const all = (await h.ok(PRISMA, {}, op.token)).viewer.sims.edges as { node: { id: string; group: { name: string } | null } }[];
    expect(all.map((e) => [e.node.id, e.node.group?.name ?? null]).sort()).toEqual(sims.map((s) => [s.id, inGroup.includes(s.id) ? "listed" : null]).sort());
  });

  it("G1: Sim.group over a page costs the same number of statements for 10 SIMs as for 50 (no per-SIM look-up)", async () => {
    const op = await signUp(h);
    const sims = await ownSims(h, op, 50);
    const a = await createGroup(op, "page-a");
    const b = await createGroup(op, "page-b");
    await setGroup(op, sims.filter((_, i) => i % 2 === 0).map((s) => s.id), a.id);
    await setGroup(op, sims.filter((_, i) => i % 3 === 0 && i % 2 !== 0).map((s) => s.id), b.id);
    const PAGE = `query($n: Int!) { viewer { sims(first: $n) { edges { node { id name group { id name simCount } } } } } }`;
    const ten = await sendCounted(h, PAGE, { n: 10 }, op.token);
    const fifty = await sendCounted(h, PAGE, { n: 50 }, op.token);
    expect(fifty.body.errors).toBeUndefined();
    const nodes = fifty.body.data.viewer.sims.edges.map((e: { node: { group: { name: string } | null } }) => e.node.group?.name ?? null);
    expect(nodes.filter((n: string | null) => n === "page-a")).toHaveLength(25);
    expect(nodes.filter((n: string | null) => n === "page-b")).toHaveLength(8);
    console.info(`a page with Sim.group: ${ten.statements} statements for 10 SIMs, ${fifty.statements} for 50`);
    expect(fifty.statements).toBe(ten.statements);
    expect(fifty.statements).toBeLessThanOrEqual(6);
  });
});

describe("G2 deletion and retention", () => {
  it("G2: a group with SIMs cannot be deleted (GROUP_NOT_EMPTY); an empty one can, and then is gone", async () => {
    const op = await signUp(h);
    const [sim] = await ownSims(h, op, 1);
    const g = await createGroup(op, "full");
    await setGroup(op, [sim!.id], g.id);
    expect((await h.ok(DELETE, { id: g.id }, op.token)).deleteSimGroup).toEqual({ deletedGroupId: null, userErrors: [{ code: "GROUP_NOT_EMPTY", field: ["input", "groupId"] }] });
    await setGroup(op, [sim!.id], null);
    expect((await h.ok(DELETE, { id: g.id }, op.token)).deleteSimGroup).toEqual({ deletedGroupId: g.id, userErrors: [] });
    expect((await h.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: g.id }, op.token)).node).toBeNull();
    expect((await h.ok(DELETE, { id: g.id }, op.token)).deleteSimGroup.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "groupId"] }]);
    expect((await setGroup(op, [sim!.id], g.id)).userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "groupId"] }]);
  });

  it("G2: deletion racing setSimGroup into the group: either the SIMs went in and the group stays, or the group is gone and they are in none", async () => {
    const op = await signUp(h);
    const sims = await ownSims(h, op, 30);
    for (let round = 0; round < 10; round++) {
      const g = await createGroup(op, `race-${round}`);
      const mine = sims.slice(round * 3, round * 3 + 3).map((s) => s.id);
      const [set, del] = await Promise.all([setGroup(op, mine, g.id), h.ok(DELETE, { id: g.id }, op.token)]);
      const deleted = del.deleteSimGroup.userErrors.length === 0;
      const rows = await h.app.db.sim.findMany({ where: { id: { in: mine.map(rowId) } }, select: { groupId: true } });
      const group = await h.app.db.simGroup.findUnique({ where: { id: rowId(g.id) } });
      if (deleted) {
        expect(set.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "groupId"] }]);
        expect(rows.every((r) => r.groupId === null)).toBe(true);
        expect(group).toBeNull();
      } else {
        expect(del.deleteSimGroup.userErrors).toEqual([{ code: "GROUP_NOT_EMPTY", field: ["input", "groupId"] }]);
        expect(set.results.every((x) => x.userErrors.length === 0)).toBe(true);
        expect(rows.every((r) => r.groupId === rowId(g.id))).toBe(true);
        expect(group?.simCount).toBe(3);
        await setGroup(op, mine, null);
      }
    }
  });

  it("G2: terminated SIMs keep their group while listed; when they leave listings the scheduler takes them out (simCount goes down), and the group can then be deleted", async () => {
    const op = await signUp(h);
    const [kept, dead] = await ownSims(h, op, 2);
    const g = await createGroup(op, "retained");
    const other = await createGroup(op, "only-dead");
    await setGroup(op, [kept!.id], g.id);
    await setGroup(op, [dead!.id], other.id);
    await terminate(op, dead!.id);
    try {
      h.clock.advance(29 * 86_400_000);
      let token = await signIn(op);
      await h.app.scheduler.runOnce();
      expect((await h.ok(`query($id: ID!) { node(id: $id) { ... on SimGroup { simCount } } }`, { id: other.id }, token)).node.simCount).toBe(1);
      const listed = (await h.ok(`query($g: ID) { viewer { sims(first: 5, filter: { groupId: $g }) { totalCount } } }`, { g: other.id }, token)).viewer.sims;
      expect(listed.totalCount).toBe(1);
      h.clock.advance(2 * 86_400_000);
      token = await signIn(op);
      // Past retention: the listing no longer shows it, before and after the scheduler ran.
      expect((await h.ok(`query($g: ID) { viewer { sims(first: 5, filter: { groupId: $g }) { totalCount edges { node { id } } } } }`, { g: other.id }, token)).viewer.sims).toEqual({ totalCount: 0, edges: [] });
      const report = await h.app.scheduler.runOnce();
      expect(report.groupMembershipsEnded).toBeGreaterThanOrEqual(1);
      expect((await h.app.db.sim.findUniqueOrThrow({ where: { id: rowId(dead!.id) } })).groupId).toBeNull();
      const counts = await h.ok(`query($a: ID!, $b: ID!) { a: node(id: $a) { ... on SimGroup { simCount } } b: node(id: $b) { ... on SimGroup { simCount } } }`, { a: g.id, b: other.id }, token);
      expect(counts).toEqual({ a: { simCount: 1 }, b: { simCount: 0 } });
      expect((await h.ok(DELETE, { id: other.id }, token)).deleteSimGroup.userErrors).toEqual([]);
    } finally {
      h.clock.reset();
    }
  });

  it("G2: a group whose only SIMs left listings can be deleted before the scheduler ran", async () => {
    const op = await signUp(h);
    const [dead] = await ownSims(h, op, 1);
    const g = await createGroup(op, "lapsed");
    await setGroup(op, [dead!.id], g.id);
    await terminate(op, dead!.id);
    try {
      h.clock.advance(31 * 86_400_000);
      const token = await signIn(op);
      expect((await h.ok(DELETE, { id: g.id }, token)).deleteSimGroup).toEqual({ deletedGroupId: g.id, userErrors: [] });
      expect((await h.app.db.sim.findUniqueOrThrow({ where: { id: rowId(dead!.id) } })).groupId).toBeNull();
    } finally {
      h.clock.reset();
    }
  });
});

describe("G3 transfers", () => {
  it("G3: an accepted transfer takes the SIMs out of the source's group (its simCount goes down); the destination sees no group and its own groups are untouched", async () => {
    const source = await signUp(h);
    const dest = await signUp(h);
    await payByCard(h, dest);
    const [moved, stays] = await ownSims(h, source, 2);
    const g = await createGroup(source, "fleet");
    const destGroup = await createGroup(dest, "fleet");
    await setGroup(source, [moved!.id, stays!.id], g.id);
    const { token } = await issued(h, source, dest, [moved!.id]);
    // While TRANSFERRING it is still the source's, in its group.
    expect(await simCountOf(source, g.id)).toBe(2);
    expect((await decide(h, dest, "acceptSimTransfer", { token })).userErrors).toEqual([]);
    expect(await simCountOf(source, g.id)).toBe(1);
    expect(await simCountOf(dest, destGroup.id)).toBe(0);
    const seen = await h.ok(`query($id: ID!) { node(id: $id) { ... on Sim { status group { id name } } } viewer { sims(first: 5) { edges { node { id group { id } } } } simGroups(first: 5) { totalCount edges { node { id } } } } }`, { id: moved!.id }, dest.token);
    expect(seen.node).toEqual({ status: "READY", group: null });
    expect(seen.viewer.sims.edges).toEqual([{ node: { id: moved!.id, group: null } }]);
    expect(seen.viewer.simGroups).toEqual({ totalCount: 1, edges: [{ node: { id: destGroup.id } }] });
    expect((await h.ok(`query($g: ID) { viewer { sims(first: 5, filter: { groupId: $g }) { totalCount } } }`, { g: g.id }, dest.token)).viewer.sims.totalCount).toBe(0);
    const sourceList = (await h.ok(`query($g: ID) { viewer { sims(first: 5, filter: { groupId: $g }) { totalCount edges { node { id } } } } }`, { g: g.id }, source.token)).viewer.sims;
    expect(sourceList).toEqual({ totalCount: 1, edges: [{ node: { id: stays!.id } }] });
  });
});
