// Every query limit refuses an abusive document before anything runs (no SQL
// beyond the sign-in look-up every request makes, no state change, no audit entry), with HTTP
// 400, an extensions.code and a message naming the limit and the value found; every response
// reports the limits in `extensions`.
import { getIntrospectionQuery } from "graphql";
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness, type Harness, sendCounted, type CountedResponse } from "./support/harness.ts";
import { ownSims } from "./support/sims.ts";

const h = await startHarness();
const op = await signUp(h);
const [sim] = await ownSims(h, op, 1);

const LIMITS = { depth: 10, aliases: 15, tokens: 1000, directives: 20, cost: 20_000, pageSize: 100, bulkPageSize: 1000 };

type Sent = CountedResponse;

const send = (harness: Harness, query: string, variables: Record<string, unknown> = {}, auth: string | null = op.token): Promise<Sent> =>
  sendCounted(harness, query, variables, auth);

// What a request costs in SQL when it executes nothing: the bearer-token look-up.
const baseline = (await send(h, "{ __typename }")).statements;

function expectRefused(sent: Sent, code: string, message: RegExp) {
  expect(sent.status).toBe(400);
  expect(sent.body.data ?? null).toBeNull();
  expect(sent.body.errors?.map((e) => e.extensions?.code)).toContain(code);
  expect(sent.body.errors?.find((e) => e.extensions?.code === code)?.message).toMatch(message);
  expect(sent.body.extensions?.limits).toEqual(LIMITS);
  // Before execution: no statement past the sign-in look-up every request makes.
  expect(sent.statements).toBeLessThanOrEqual(baseline);
}

const SIMS_WITH_HISTORY = `query($n: Int!, $m: Int!) { viewer { sims(first: $n) { totalCount edges { node { imsi
  statusHistory(first: $m) { edges { node { at cause to } } } } } } } }`;

async function auditCount(): Promise<number> {
  return (await h.ok(`{ viewer { auditLog(first: 1) { totalCount } } }`, {}, op.token)).viewer.auditLog.totalCount;
}
async function addressCount(): Promise<number> {
  return (await h.ok(`{ viewer { emailAddresses { id } } }`, {}, op.token)).viewer.emailAddresses.length;
}

describe("limits reported in every response", () => {
  it("a plain query succeeds and reports the limits and its cost", async () => {
    const sent = await send(h, "{ viewer { operatorId } }");
    expect(sent.status).toBe(200);
    expect(sent.body.errors).toBeUndefined();
    expect(sent.body.extensions).toEqual({ limits: LIMITS, cost: { requested: 2, limit: LIMITS.cost } });
  });

  it("the cost multiplies a connection's items by first, with variables resolved", async () => {
    const small = await send(h, SIMS_WITH_HISTORY, { n: 2, m: 3 });
    expect(small.body.errors).toBeUndefined();
    expect(small.body.data.viewer.sims.edges).toHaveLength(1);
    // viewer 1 + sims 1 + totalCount 1 + edges 1 + 2 × (node 1 + imsi 1 + history 1 + edges 1 + 3 × (node 1 + 3 leaves))
    expect(small.body.extensions?.cost).toEqual({ requested: 4 + 2 * (4 + 3 * 4), limit: LIMITS.cost });
  });

  it("a document sent again is costed again by its own variables; one without variables costs the same each time", async () => {
    const small = await send(h, SIMS_WITH_HISTORY, { n: 2, m: 3 });
    const large = await send(h, SIMS_WITH_HISTORY, { n: 100, m: 100 });
    expect(small.body.extensions?.cost.requested).toBe(4 + 2 * (4 + 3 * 4));
    expectRefused(large, "QUERY_COST_EXCEEDED", /cost limit of 20000 exceeded/);
    const fixed = `{ viewer { sims(first: 5) { edges { node { imsi } } } } }`;
    const costs = [];
    for (let i = 0; i < 3; i++) {
      const sent = await send(h, fixed);
      expect(sent.body.errors).toBeUndefined();
      costs.push(sent.body.extensions?.cost.requested);
    }
    expect(costs).toEqual([3 + 5 * 2, 3 + 5 * 2, 3 + 5 * 2]);
    const over = `{ viewer { sims(first: 100) { edges { node { statusHistory(first: 100) { edges { node { at } } } } } } } }`;
    for (let i = 0; i < 2; i++) expectRefused(await send(h, over), "QUERY_COST_EXCEEDED", /cost limit of 20000 exceeded/);
  });

  it("GraphiQL's introspection query passes every limit", async () => {
    const sent = await send(h, getIntrospectionQuery({ descriptions: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true }));
    expect(sent.body.errors).toBeUndefined();
    expect(sent.body.data.__schema.types.length).toBeGreaterThan(50);
  });
  it("the allowance for one full introspection holds only for documents that ask nothing else", async () => {
    const full = getIntrospectionQuery({ descriptions: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true });
    const mixed = full.replace("query IntrospectionQuery {", "query IntrospectionQuery { viewer { operatorId }");
    const sent = await send(h, mixed);
    expect(sent.body.errors?.[0]?.extensions?.code).toBe("QUERY_COST_EXCEEDED");
  });
});

describe("abusive documents are refused before execution", () => {
  // GraphQL Armor counts a fragment spread and its fragment's selection as one level each: the
  // schema has no cycle, so nesting fragments is the way to go deep.
  it("depth: 12 nested fragments under viewer", async () => {
    const chain = Array.from({ length: 12 }, (_, i) => `fragment F${i} on Operator { ${i === 11 ? "sims(first: 1) { totalCount }" : `...F${i + 1}`} }`);
    const sent = await send(h, `{ viewer { ...F0 } } ${chain.join(" ")}`);
    expectRefused(sent, "QUERY_DEPTH_EXCEEDED", /^Query depth limit of 10 exceeded, found 27\.$/);
  });

  it("aliases: 16 aliased addEmailAddress mutations add nothing and audit nothing", async () => {
    const [addresses, audits] = [await addressCount(), await auditCount()];
    const fields = Array.from({ length: 16 }, (_, i) => `a${i}: addEmailAddress(input: { address: "alias-${i}@example.com" }) { userErrors { code } }`);
    const sent = await send(h, `mutation { ${fields.join(" ")} }`);
    expectRefused(sent, "QUERY_ALIASES_EXCEEDED", /^Aliases limit of 15 exceeded, found 16\.$/);
    expect([await addressCount(), await auditCount()]).toEqual([addresses, audits]);
  });

  it("tokens: a 1,200-token document", async () => {
    const sent = await send(h, `{ viewer { ${"operatorId ".repeat(1200)} sims(first: 1) { totalCount } } }`);
    expectRefused(sent, "QUERY_TOKENS_EXCEEDED", /^Token limit of 1000 exceeded/);
  });

  it("directives: 21 @include on one mutation add nothing", async () => {
    const addresses = await addressCount();
    const sent = await send(h, `mutation { addEmailAddress(input: { address: "dir@example.com" }) ${"@include(if: true) ".repeat(21)} { userErrors { code } } }`);
    expectRefused(sent, "QUERY_DIRECTIVES_EXCEEDED", /^Directives limit of 20 exceeded, found 21\.$/);
    expect(await addressCount()).toBe(addresses);
  });

  it("cost: 100 SIMs × 100 history entries, with the sizes in variables", async () => {
    const sent = await send(h, SIMS_WITH_HISTORY, { n: 100, m: 100 });
    expectRefused(sent, "QUERY_COST_EXCEEDED", new RegExp(`^Query cost limit of 20000 exceeded, found ${4 + 100 * (4 + 100 * 4)}\\.`));
    expect(sent.body.extensions?.cost).toEqual({ requested: 40_404, limit: LIMITS.cost });
  });

  it("a mutation whose payload reads a connection without first changes nothing and audits nothing", async () => {
    const audits = await auditCount();
    const sent = await send(h, `mutation($id: ID!) { updateSim(input: { simId: $id, name: "renamed" }) { sim { name statusHistory { totalCount } } } }`, { id: sim!.id });
    expectRefused(sent, "CONNECTION_LIMIT_REQUIRED", /^Sim\.statusHistory needs/);
    expect(await auditCount()).toBe(audits);
    expect((await h.ok(`query($id: ID!) { node(id: $id) { ... on Sim { name } } }`, { id: sim!.id }, op.token)).node.name).not.toBe("renamed");
  });

  it("a connection without first or last (also inside a fragment on node)", async () => {
    expectRefused(await send(h, `{ viewer { sims { totalCount } } }`), "CONNECTION_LIMIT_REQUIRED", /^Operator\.sims needs `first` or `last` \(1 to 100\); found neither\.$/);
    expectRefused(
      await send(h, `query($id: ID!) { node(id: $id) { ... on Sim { statusHistory(after: null) { totalCount } } } }`, { id: sim!.id }),
      "CONNECTION_LIMIT_REQUIRED",
      /^Sim\.statusHistory needs/,
    );
    // A variable left unset counts as missing.
    expectRefused(await send(h, `query($n: Int) { viewer { auditLog(first: $n) { totalCount } } }`), "CONNECTION_LIMIT_REQUIRED", /^Operator\.auditLog needs/);
  });

  it("first or last above 100 on a connection, literal or variable", async () => {
    expectRefused(await send(h, `{ viewer { sims(first: 101) { totalCount } } }`), "CONNECTION_LIMIT_EXCEEDED", /^Operator\.sims\(first:\) is at most 100; found 101\.$/);
    expectRefused(await send(h, `query($n: Int) { viewer { sims(last: $n) { totalCount } } }`, { n: -1 }), "CONNECTION_LIMIT_INVALID", /^Operator\.sims\(last:\) cannot be negative; found -1\.$/);
    expectRefused(await send(h, `query($n: Int) { viewer { supportTickets(last: $n) { totalCount } } }`, { n: 5000 }), "CONNECTION_LIMIT_EXCEEDED", /^Operator\.supportTickets\(last:\) is at most 100; found 5000\.$/);
    const accepted = await send(h, `{ viewer { sims(first: 100) { totalCount } } }`);
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data.viewer.sims.totalCount).toBe(1);
  });

  it("bulk admin path: adminOutbox takes first up to 1,000, not 1,001", async () => {
    const refused = await send(h, `{ adminOutbox(first: 1001) { id } }`, {}, ADMIN_SECRET);
    // The resolver's own check would answer BAD_USER_INPUT: this one ran before it.
    expectRefused(refused, "CONNECTION_LIMIT_EXCEEDED", /^Query\.adminOutbox\(first:\) is at most 1000; found 1001\.$/);
    const accepted = await send(h, `{ adminOutbox(first: 1000) { id subject } }`, {}, ADMIN_SECRET);
    expect(accepted.body.errors).toBeUndefined();
    expect(accepted.body.data.adminOutbox.length).toBeGreaterThan(0);
    expect(accepted.body.extensions?.cost).toEqual({ requested: 1 + 1000 * 2, limit: LIMITS.cost });
  });
});

describe("field suggestions", () => {
  const misspelled = `{ viewer { operatorld } }`;

  it("development suggests the field", async () => {
    const sent = await send(h, misspelled);
    expect(sent.body.errors?.[0]?.message).toMatch(/Did you mean "operatorId"\?/);
  });

  it("production hides the suggestion", async () => {
    const production = await startHarness({ env: { NODE_ENV: "production" } });
    const sent = await send(production, misspelled, {}, null);
    expect(sent.body.errors?.[0]?.message).toBe(`Cannot query field "operatorld" on type "Operator". [Suggestion hidden]`);
    expect(sent.body.errors?.[0]?.message).not.toMatch(/operatorId/);
    expect(sent.body.extensions?.limits).toEqual(LIMITS);
  });
});
