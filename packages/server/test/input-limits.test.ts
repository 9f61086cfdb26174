// How much input one request may carry: every list and String/ID input has a stated maximum
// (default 100 items, 1,000 characters; larger where declared), the variables as a whole have a
// byte limit, introspection and __typename are costed like any field. Refusals come before
// anything runs: HTTP 400, an extensions.code, a message naming the argument and the maximum,
// never the input. Huge or garbage IDs never reach an audit entry.
import { randomUUID } from "node:crypto";
import { getIntrospectionQuery, getNamedType, isInputObjectType, isListType, isNonNullType, isScalarType, type GraphQLInputType } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "@simgate/schema/graphql";
import { signUp } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness, type Harness, sendCounted, type CountedResponse } from "./support/harness.ts";
import { ownSims } from "./support/sims.ts";

const h = await startHarness();
const op = await signUp(h);
const [sim] = await ownSims(h, op, 1);

type Sent = CountedResponse;

const send = (harness: Harness, query: string, variables: Record<string, unknown> = {}, auth: string | null = op.token): Promise<Sent> =>
  sendCounted(harness, query, variables, auth);

// What a request costs in SQL when it executes nothing: the bearer-token look-up.
const baseline = (await send(h, "{ __typename }")).statements;

function expectRefused(sent: Sent, code: string, message: RegExp, notEchoing?: string) {
  expect(sent.status, sent.text.slice(0, 500)).toBe(400);
  expect(sent.body.data ?? null).toBeNull();
  expect(sent.body.errors?.map((e) => e.extensions?.code)).toEqual([code]);
  expect(sent.body.errors?.[0]?.message).toMatch(message);
  expect(sent.statements).toBeLessThanOrEqual(baseline);
  if (notEchoing) expect(sent.text).not.toContain(notEchoing);
}

const madeUpSimId = () => Buffer.from(`Sim:${randomUUID()}`).toString("base64");
const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { __typename ... on Sim { imsi } } }`;

describe("list inputs are bounded before execution (INPUT_LIMIT_EXCEEDED)", () => {
  it("nodes(ids:) takes 100 IDs; 101 are refused with HTTP 400 naming the argument and the maximum, never echoing an ID", async () => {
    const hundred = [sim!.id, ...Array.from({ length: 99 }, madeUpSimId)];
    const ok = await send(h, NODES, { ids: hundred });
    expect(ok.status).toBe(200);
    expect(ok.body.data.nodes).toHaveLength(100);
    expect(ok.body.data.nodes[0]).toEqual({ __typename: "Sim", imsi: sim!.imsi });

    const marker = Buffer.from(`Sim:${"7".repeat(36)}`).toString("base64");
    const over = [...hundred, marker];
    expectRefused(await send(h, NODES, { ids: over }), "INPUT_LIMIT_EXCEEDED", /Query\.nodes\(ids:\) takes at most 100 items; found 101/, marker);
    // The same as an inline literal, anonymously.
    expectRefused(
      await send(h, `{ nodes(ids: ${JSON.stringify(over)}) { __typename } }`, {}, null),
      "INPUT_LIMIT_EXCEEDED",
      /Query\.nodes\(ids:\) takes at most 100 items/,
    );
  });

  it("a list nested in an input object: SimFilter.subscription takes 100 plans; 101 are refused, also inside a fragment", async () => {
    const query = `query($f: SimFilter) { viewer { ...S } } fragment S on Operator { sims(first: 1, filter: $f) { totalCount } }`;
    const plans = Array.from({ length: 100 }, (_, i) => `plan${i}`);
    const ok = await send(h, query, { f: { subscription: plans } });
    expect(ok.status).toBe(200);
    expect(ok.body.data.viewer.sims.totalCount).toBe(0);
    expectRefused(
      await send(h, query, { f: { subscription: [...plans, "planX"] } }),
      "INPUT_LIMIT_EXCEEDED",
      /Operator\.sims\(filter:\)\.subscription takes at most 100 items; found 101/,
    );
  });

  it("50,000-item filter lists are refused, not a stack overflow", async () => {
    const statuses = Array.from({ length: 50_000 }, () => "ACTIVE");
    expectRefused(
      await send(h, `query($s: [SimStatus!]) { viewer { sims(first: 1, filter: { status: $s }) { totalCount } } }`, { s: statuses }),
      "INPUT_LIMIT_EXCEEDED",
      /Operator\.sims\(filter:\)\.status takes at most 100 items; found 50,000/,
    );
  });

  it("S11: 1,001 SIM IDs are still TOO_MANY_ITEMS from the resolver; past the declared 1,100 the request is refused before execution", async () => {
    const TERMINATE = `mutation($ids: [ID!]!) { terminateSims(input: { simIds: $ids }) { userErrors { code field } } }`;
    const justOver = await send(h, TERMINATE, { ids: Array.from({ length: 1001 }, madeUpSimId) });
    expect(justOver.status).toBe(200);
    expect(justOver.body.data.terminateSims.userErrors).toEqual([{ code: "TOO_MANY_ITEMS", field: ["input", "simIds"] }]);
    expectRefused(
      await send(h, TERMINATE, { ids: Array.from({ length: 1101 }, madeUpSimId) }),
      "INPUT_LIMIT_EXCEEDED",
      /Mutation\.terminateSims\(input:\)\.simIds takes at most 1,100 items; found 1,101/,
    );
  });
});

describe("text inputs are bounded before execution (INPUT_LIMIT_EXCEEDED)", () => {
  it("a String argument past 1,000 characters is refused, naming it and never echoing it", async () => {
    const imsi = "4".repeat(1001);
    expectRefused(await send(h, `query($i: String!) { sim(imsi: $i) { id } }`, { i: imsi }), "INPUT_LIMIT_EXCEEDED", /Query\.sim\(imsi:\) is at most 1,000 characters long; found 1,001/, imsi);
    const ok = await send(h, `query($i: String!) { sim(imsi: $i) { id } }`, { i: "4".repeat(1000) });
    expect(ok.status).toBe(200);
    expect(ok.body.data.sim).toBeNull();
  });

  it("a 400,000-character SIM search is refused before it reaches SQL (SQLite: LIKE pattern too complex)", async () => {
    expectRefused(
      await send(h, `query($q: String) { viewer { sims(first: 1, filter: { search: $q }) { totalCount } } }`, { q: "%".repeat(400_000) }),
      "INPUT_LIMIT_EXCEEDED",
      /Operator\.sims\(filter:\)\.search is at most 1,000 characters/,
    );
  });

  it("declared bounds: a support message of 10,001 characters stays INVALID_INPUT; past 11,000 the request is refused before execution", async () => {
    const CREATE = `mutation($i: CreateSupportTicketInput!) { createSupportTicket(input: $i) { userErrors { code field } } }`;
    const justOver = await send(h, CREATE, { i: { category: "CONNECTIVITY", subject: "s", body: "b".repeat(10_001) } });
    expect(justOver.body.data.createSupportTicket.userErrors).toEqual([{ code: "INVALID_INPUT", field: ["input", "body"] }]);
    expectRefused(
      await send(h, CREATE, { i: { category: "CONNECTIVITY", subject: "s", body: "b".repeat(11_001) } }),
      "INPUT_LIMIT_EXCEEDED",
      /Mutation\.createSupportTicket\(input:\)\.body is at most 11,000 characters/,
    );
  });

  it("every list and String/ID input of the schema states its maximum in its description and carries it for the check", () => {
    const unbounded: string[] = [];
    const visit = (where: string, input: { type: GraphQLInputType; description?: string | null | undefined; extensions: Readonly<Record<string, any>> }) => {
      let type = input.type;
      let list = false;
      while (isNonNullType(type) || isListType(type)) {
        if (isListType(type)) list = true;
        type = type.ofType;
      }
      const text = isScalarType(type) && (type.name === "String" || type.name === "ID");
      if (!list && !text) return;
      const bounds = input.extensions.inputBounds as { maxItems?: number; maxLength?: number } | undefined;
      const stated = (n: number | undefined) => n !== undefined && input.description?.includes(`At most ${n.toLocaleString("en")}`);
      if (!bounds || (list && !stated(bounds.maxItems)) || (text && bounds.maxLength === undefined) || (!list && !stated(bounds.maxLength))) unbounded.push(where);
    };
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith("__")) continue;
      if (isInputObjectType(type)) for (const f of Object.values(type.getFields())) visit(`${type.name}.${f.name}`, f);
      else if ("getFields" in type) for (const f of Object.values(type.getFields())) for (const a of ("args" in f ? f.args : [])) visit(`${type.name}.${f.name}(${a.name}:)`, a);
    }
    expect(unbounded).toEqual([]);
    expect(getNamedType(schema.getQueryType()!.getFields().nodes!.args[0]!.type).name).toBe("ID");
  });
});

describe("variables count toward the request's limits (QUERY_VARIABLES_EXCEEDED)", () => {
  it("variables past 512 KiB are refused before anything runs, also when no argument uses them", async () => {
    const ids = Array.from({ length: 10_000 }, madeUpSimId);
    expectRefused(await send(h, NODES, { ids }, null), "QUERY_VARIABLES_EXCEEDED", /variables are at most 524,288 bytes \(as JSON\); found [\d,]+ bytes/);
    expectRefused(await send(h, `{ __typename }`, { unused: "x".repeat(600_000) }, null), "QUERY_VARIABLES_EXCEEDED", /at most 524,288 bytes/);
  });

  it("SIMGATE_MAX_VARIABLES_BYTES sets the limit", async () => {
    const small = await startHarness({ env: { SIMGATE_MAX_VARIABLES_BYTES: "2048" } });
    expectRefused(await send(small, `{ __typename }`, { x: "y".repeat(2048) }, null), "QUERY_VARIABLES_EXCEEDED", /at most 2,048 bytes/);
    expect((await send(small, `{ __typename }`, { x: "y".repeat(2000) }, null)).status).toBe(200);
  });
});

describe("introspection and __typename have a cost", () => {
  const [, fragments] = getIntrospectionQuery().split(/(?=fragment FullType)/) as [string, string];

  it("__typename costs 1 like any field", async () => {
    expect((await send(h, "{ __typename }")).body.extensions?.cost).toEqual({ requested: 1, limit: 20_000 });
    expect((await send(h, "{ a: __typename b: __typename }")).body.extensions?.cost.requested).toBe(2);
  });

  it("GraphiQL's introspection query passes; a few aliased copies of it are refused with QUERY_COST_EXCEEDED", async () => {
    const one = await send(h, getIntrospectionQuery(), {}, null);
    expect(one.status).toBe(200);
    expect(one.body.data.__schema.types.length).toBeGreaterThan(50);
    expect(one.body.extensions?.cost.requested).toBeGreaterThan(1000);
    const aliased = (n: number) =>
      `query { ${Array.from({ length: n }, (_, i) => `s${i}: __schema { queryType { name } types { ...FullType } }`).join(" ")} } ${fragments}`;
    for (const n of [3, 15]) expectRefused(await send(h, aliased(n), {}, null), "QUERY_COST_EXCEEDED", /Query cost limit of \d+ exceeded/);
  });
});

describe("audit entries hold only IDs that name something", () => {
  it("O6: a refused call with garbage and over-long IDs writes an entry of bounded size with only the well-formed IDs", async () => {
    const garbage = "x".repeat(1000);
    const wrongType = Buffer.from(`Sim:${randomUUID()}`).toString("base64");
    const madeUpAddress = Buffer.from(`EmailAddress:${randomUUID()}`).toString("base64");
    const ids = [madeUpAddress, wrongType, ...Array.from({ length: 98 }, (_, i) => `${garbage.slice(0, 990)}${i}`)];
    const refused = await send(h, `mutation($ids: [ID!]!) { setEmailRole(input: { role: BILLING, emailAddressIds: $ids }) { userErrors { code } } }`, { ids });
    expect(refused.body.data.setEmailRole.userErrors).toEqual([{ code: "TOO_MANY_ITEMS" }]);
    await send(h, `mutation($k: String!) { deleteAuthKey(input: { authKeyId: $k }) { userErrors { code } } }`, { k: garbage });
    const entries = (
      await h.ok(`{ viewer { auditLog(first: 2) { edges { node { action result targetIds } } } } }`, {}, op.token)
    ).viewer.auditLog.edges.map((e: { node: unknown }) => e.node);
    expect(entries).toEqual([
      { action: "deleteAuthKey", result: "REFUSED", targetIds: [] },
      { action: "setEmailRole", result: "REFUSED", targetIds: [op.id, madeUpAddress] },
    ]);
    const stored = await h.app.db.auditLogEntry.findMany({ where: { action: { in: ["setEmailRole", "deleteAuthKey"] } }, select: { targetIds: true } });
    expect(Math.max(...stored.map((r) => r.targetIds.length))).toBeLessThan(200);
  });
});

describe("administrator inputs are bounded too", () => {
  it("adminOutbox(to:) past 1,000 characters is refused for the administrator as well", async () => {
    expectRefused(await send(h, `query($to: String) { adminOutbox(to: $to) { id } }`, { to: `${"a".repeat(1000)}@example.com` }, ADMIN_SECRET), "INPUT_LIMIT_EXCEEDED", /Query\.adminOutbox\(to:\)/);
  });
});
