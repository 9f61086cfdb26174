// Compiled execution (compiled-execution.ts): a document runs interpreted until its
// SIMGATE_COMPILE_AFTER_RUNS-th run, then as code compiled for it, and its answers never change.
// The rest of the suite runs with compilation from the first run (harness.ts), so every other test
// checks compiled answers too; this file checks the switch itself.
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { startHarness, type Harness } from "./support/harness.ts";
import { ownSims, simAction } from "./support/sims.ts";

const h = await startHarness({ env: { SIMGATE_COMPILE_AFTER_RUNS: "3" } });
const op = await signUp(h);
const sims = await ownSims(h, op, 4);
const UPDATE = `mutation($i: UpdateSimInput!) { updateSim(input: $i) { sim { id } userErrors { code } } }`;
for (const [i, sim] of sims.entries()) {
  await h.ok(UPDATE, { i: { simId: sim.id, name: `sim-${i}`, tags: [{ name: "site", value: `s${i % 2}` }, { name: "rack", value: String(i) }] } }, op.token);
}
await simAction(h, op, "activateSim", sims[0]!.id);
const EXPIRY = `mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`;
expect((await h.ok(EXPIRY, { i: { simId: sims[2]!.id, expiresAt: new Date(Date.now() + 86_400_000).toISOString(), action: "SUSPEND" } }, op.token)).setSimExpiry.userErrors).toEqual([]);

/** How many operations this app has compiled (its metrics' compile histogram). */
async function compiledSoFar(harness: Harness): Promise<number> {
  const metric = await harness.app.metrics.registry.getSingleMetric("simgate_graphql_compile_duration_seconds")!.get();
  return metric.values.find((v) => (v as { metricName?: string }).metricName === "simgate_graphql_compile_duration_seconds_count")?.value ?? 0;
}

async function post(query: string, variables: Record<string, unknown> = {}, operationName?: string) {
  const response = await h.raw({ body: { query, variables, operationName }, headers: { authorization: `Bearer ${op.token}` } });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; locations?: unknown; extensions?: Record<string, unknown> }[] } };
}

// Fragments, aliases, an interface (`node`), __typename, nulls and arguments from variables, so
// that what compiled code answers is compared on each of them.
const RICH = `query Rich($first: Int!, $filter: SimFilter, $id: ID!, $missing: ID!) {
  viewer { sims(first: $first, filter: $filter, orderBy: { field: NAME }) {
    totalCount pageInfo { hasNextPage endCursor } edges { cursor node { ...simFields } } } }
  one: node(id: $id) { __typename id ... on Sim { status sessionOnline } }
  none: node(id: $missing) { id }
}
fragment simFields on Sim { __typename id name imsi status tags { name value } expiry { action expiresAt } terminationProtected }`;

describe("compiled execution", () => {
  it("a document runs interpreted until its third run, then compiled, with the same answers every time", async () => {
    const variables = { first: 3, filter: { tag: { name: "site", value: "s0" } }, id: sims[0]!.id, missing: "U2ltOm5vbmU=" };
    const before = await compiledSoFar(h);
    const answers = [];
    for (let run = 1; run <= 5; run++) {
      answers.push(await post(RICH, variables));
      expect(await compiledSoFar(h), `compilations after run ${run}`).toBe(before + (run >= 3 ? 1 : 0));
    }
    expect(answers[0]!.status).toBe(200);
    expect(answers[0]!.body.data.viewer.sims.edges.map((e: any) => e.node.name)).toEqual(["sim-0", "sim-2"]);
    expect(answers[0]!.body.data.one).toMatchObject({ __typename: "Sim", status: "ACTIVE" });
    expect(answers[0]!.body.data.none).toBeNull();
    expect(answers[0]!.body.data.viewer.sims.edges[1].node.expiry).toMatchObject({ action: "SUSPEND" });
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
  });

  it("an error in a non-null field empties its parents alike, compiled or not", async () => {
    const REFUSED = "{\r\n  viewer { sims(first: 1) { totalCount } }\n\n    adminOutbox { to }\n}";
    const answers = [];
    for (let run = 1; run <= 4; run++) answers.push(await post(REFUSED));
    expect(answers[0]!.body.data).toBeNull();
    expect(answers[0]!.body.errors!.map((e) => [e.extensions?.code, e.locations])).toEqual([["FORBIDDEN", [{ line: 4, column: 5 }]]]);
    for (const answer of answers.slice(1)) expect(answer).toEqual(answers[0]);
  });

  it("each operation of a document is compiled for itself", async () => {
    const TWO = `query Names { viewer { sims(first: 10, orderBy: { field: NAME }) { edges { node { name } } } } }
      query Count { viewer { sims(first: 1) { totalCount } } }`;
    const before = await compiledSoFar(h);
    for (let run = 1; run <= 3; run++) expect((await post(TWO, {}, "Names")).body.data.viewer.sims.edges).toHaveLength(4);
    for (let run = 1; run <= 3; run++) expect((await post(TWO, {}, "Count")).body.data).toEqual({ viewer: { sims: { totalCount: 4 } } });
    expect(await compiledSoFar(h)).toBe(before + 2);
  });

  it("variables that do not coerce are refused with HTTP 400 and graphql-js's message, compiled or not", async () => {
    const LIST = `query($first: Int!) { viewer { sims(first: $first) { totalCount } } }`;
    const refused = await post(LIST, { first: "three" });
    for (let run = 1; run <= 4; run++) expect((await post(LIST, { first: 2 })).body.data.viewer.sims.totalCount).toBe(4);
    const after = await post(LIST, { first: "three" });
    expect(refused.status).toBe(400);
    expect(after).toEqual(refused);
    expect(after.body.errors![0]!.message).toContain('Variable "$first" got invalid value "three"');
  });

  it("a required input field left out gets its default, as graphql-js coerces it, after compilation too", async () => {
    const CREATE = `mutation($i: CreateUserInput!) { createUser(input: $i) { user { permissions { effect actions resources } } userErrors { code } } }`;
    for (let run = 1; run <= 5; run++) {
      const { status, body } = await post(CREATE, { i: { name: `u${run}`, permissions: [{ effect: "ALLOW", actions: ["Sim:read"] }] } });
      expect(status).toBe(200);
      expect(body.errors).toBeUndefined();
      expect(body.data.createUser).toEqual({ user: { permissions: [{ effect: "ALLOW", actions: ["Sim:read"], resources: ["*"] }] }, userErrors: [] });
    }
  });

  it("a mutation's fields run one after another, in document order, when compiled", async () => {
    const TWICE = `mutation($id: ID!, $a: String!, $b: String!) {
      first: updateSim(input: { simId: $id, name: $a }) { sim { name } }
      second: updateSim(input: { simId: $id, name: $b }) { sim { name } } }`;
    const before = await compiledSoFar(h);
    for (let run = 1; run <= 4; run++) {
      const { body } = await post(TWICE, { id: sims[3]!.id, a: `first-${run}`, b: `second-${run}` });
      expect(body.data).toEqual({ first: { sim: { name: `first-${run}` } }, second: { sim: { name: `second-${run}` } } });
      const row = await h.app.db.sim.findUniqueOrThrow({ where: { imsi: sims[3]!.imsi } });
      expect(row.name).toBe(`second-${run}`);
    }
    expect(await compiledSoFar(h)).toBe(before + 1);
  });

  it("documents with @skip or @include are never compiled, and answer by their directives", async () => {
    const DIRECTED = `query($full: Boolean!) { viewer { sims(first: 1, filter: { tag: { name: "rack", value: "0" } }) { edges { node { name imsi @include(if: $full) ...Tags @skip(if: $full) } } } } }
      fragment Tags on Sim { tags { name } }`;
    const before = await compiledSoFar(h);
    for (let run = 1; run <= 4; run++) {
      const full = run % 2 === 0;
      const node = (await post(DIRECTED, { full })).body.data.viewer.sims.edges[0].node;
      expect(node).toEqual(full ? { name: "sim-0", imsi: sims[0]!.imsi } : { name: "sim-0", tags: [{ name: "rack" }, { name: "site" }] });
    }
    expect(await compiledSoFar(h)).toBe(before);
  });
});

describe("names every object inherits", () => {
  it("aliases and variables named __proto__ or constructor answer as graphql-js answers them: such documents are not compiled", async () => {
    const INHERITED = `query($constructor: Int!) { viewer { sims(first: $constructor, filter: { tag: { name: "rack", value: "3" } }) { edges { node { __proto__: name constructor: imsi toString: status } } } } }`;
    const { name } = await h.app.db.sim.findUniqueOrThrow({ where: { imsi: sims[3]!.imsi } });
    const before = await compiledSoFar(h);
    for (let run = 1; run <= 4; run++) {
      const { status, body } = await post(INHERITED, { constructor: 1 });
      expect(status).toBe(200);
      // A string: in an object literal, `__proto__` would set the prototype instead of a key.
      expect(JSON.stringify(body.data)).toBe(`{"viewer":{"sims":{"edges":[{"node":{"__proto__":"${name}","constructor":"${sims[3]!.imsi}","toString":"READY"}}]}}}`);
    }
    expect(await compiledSoFar(h)).toBe(before);
    expect(Object.keys(Object.prototype)).toEqual([]);
  });
});

describe("compiled execution off", () => {
  it("SIMGATE_COMPILE_AFTER_RUNS=0 never compiles, and is validated at start", async () => {
    const off = await startHarness({ env: { SIMGATE_COMPILE_AFTER_RUNS: "0" } });
    const own = await signUp(off);
    for (let run = 1; run <= 4; run++) await off.ok(`{ viewer { sims(first: 1) { totalCount } } }`, {}, own.token);
    expect(await compiledSoFar(off)).toBe(0);
    const { loadConfig } = await import("../src/config.ts");
    expect(() => loadConfig({ DATABASE_URL: "file:./x.db", SIMGATE_COMPILE_AFTER_RUNS: "-1" })).toThrow(/SIMGATE_COMPILE_AFTER_RUNS/);
  });
});
