// U4, U5, U8, V4, V9: what a user reads of the event log (pull, push) and of webhooks, through the
// real server, a real loopback receiver and a real database, on both engines. The user is scoped to
// `sim:tag:site=tokyo-*`; the root's view of the same log is the reference.
import { beforeAll, describe, expect, it } from "vitest";
import { encodeGlobalId } from "@simgate/schema/ids/global-id";
import { signUp, type TestOperator } from "./support/accounts.ts";
import { sendCountedRead, startHarness } from "./support/harness.ts";
import { ownSims } from "./support/sims.ts";
import { subscribeSse } from "./support/subscriptions.ts";
import { issued } from "./support/transfers.ts";
import { testUser, type TestUser } from "./support/users.ts";
import { startReceiver, until } from "./support/webhook-receiver.ts";

const h = await startHarness({
  env: { SIMGATE_WEBHOOK_ALLOW_PRIVATE: "true", SIMGATE_WEBHOOK_POLL_INTERVAL_MS: "50", SIMGATE_SUBSCRIPTION_RECHECK_SECONDS: "1" },
});
const base = `http://127.0.0.1:${await h.app.listen()}`;

const SCOPE = "sim:tag:site=tokyo-*";
const UPDATE = `mutation($i: UpdateSimInput!) { updateSim(input: $i) { userErrors { code } } }`;
const PAGE = `query($after: String, $first: Int) { viewer { events(after: $after, first: $first) { totalCount edges { cursor node { sequence type imsi } } pageInfo { hasNextPage endCursor } } } }`;
const CREATE = `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } userErrors { code } } }`;
const ENDPOINTS = `query { viewer { webhookEndpoints { id enabled disabledReason deliveries(first: 100) { totalCount edges { node { status lastError event { sequence imsi } } } } } } }`;

let root: TestOperator;
let other: TestOperator;
/** 14 SIMs: tokyo at 0, 5, 6 and 13, the rest osaka (runs of hidden SIMs between). */
let sims: { id: string; imsi: string }[];
let tokyo: Set<string>;
let reader: TestUser;

async function tag(sim: { id: string }, value: string) {
  expect((await h.ok(UPDATE, { i: { simId: sim.id, tags: [{ name: "site", value }] } }, root.token)).updateSim.userErrors).toEqual([]);
}

async function rename(sim: { id: string }, name: string) {
  expect((await h.ok(UPDATE, { i: { simId: sim.id, name } }, root.token)).updateSim.userErrors).toEqual([]);
}

type Row = { sequence: string; type: string; imsi: string | null };

/** Every event `token` may read, walked `first` at a time from the start, with what each page said. */
async function walk(token: string, first: number) {
  const seen: Row[] = [];
  let after: string | null = null;
  let totalCount = -1;
  for (let guard = 0; guard < 200; guard += 1) {
    const page: any = (await h.ok(PAGE, { after, first }, token)).viewer.events;
    totalCount = page.totalCount;
    seen.push(...page.edges.map((e: { node: Row }) => e.node));
    after = page.pageInfo.endCursor;
    if (!page.pageInfo.hasNextPage) break;
  }
  return { seen, totalCount, endCursor: after };
}

beforeAll(async () => {
  root = await signUp(h);
  other = await signUp(h);
  sims = await ownSims(h, root, 14);
  tokyo = new Set([0, 5, 6, 13].map((i) => sims[i]!.imsi));
  for (const [i, sim] of sims.entries()) await tag(sim, tokyo.has(sim.imsi) ? `tokyo-${i}` : `osaka-${i}`);
  reader = await testUser(h, root, [{ effect: "ALLOW", actions: ["Event:read", "Sim:read"], resources: [SCOPE] }, { effect: "ALLOW", actions: ["Event:read"], resources: ["*"] }]);
}, 60_000);

describe("U4, V4: pulling the log", () => {
  it("U4/V4: a user scoped to sim:tag:site=tokyo-* pulls exactly the events of its SIMs, paging across hidden runs with no skip and no repeat, totalCount agreeing", async () => {
    const all = (await walk(root.token, 1000)).seen;
    const expected = all.filter((e) => e.imsi !== null && tokyo.has(e.imsi)).map((e) => e.sequence);
    expect(expected.length).toBe(8); // registered and tagged, 4 SIMs
    expect(all.length).toBeGreaterThan(expected.length);
    for (const first of [1, 2, 3, 50]) {
      const { seen, totalCount, endCursor } = await walk(reader.token, first);
      expect(seen.map((e) => e.sequence)).toEqual(expected);
      expect(totalCount).toBe(expected.length);
      // The last page continues after the hidden tail: nothing readable is left after it.
      expect(BigInt(endCursor!)).toBe(BigInt(all.at(-1)!.sequence));
    }
  });

  it("U4: a page after hidden events continues where the readable ones are (after a cursor in a hidden run)", async () => {
    const all = (await walk(root.token, 1000)).seen;
    const hidden = all.find((e) => e.imsi !== null && !tokyo.has(e.imsi) && Number(e.sequence) > 1)!;
    const page = (await h.ok(PAGE, { after: hidden.sequence, first: 1 }, reader.token)).viewer.events;
    const next = all.find((e) => Number(e.sequence) > Number(hidden.sequence) && e.imsi !== null && tokyo.has(e.imsi))!;
    expect(page.edges.map((e: { node: Row }) => e.node.sequence)).toEqual([next.sequence]);
  });

  it("U4: node(id) and nodes(ids) answer null for an event of a SIM the user may not read, as for a missing ID", async () => {
    const ALL = `query { viewer { events(first: 1000) { edges { node { id imsi } } } } }`;
    const events: { id: string; imsi: string | null }[] = (await h.ok(ALL, {}, root.token)).viewer.events.edges.map((e: { node: unknown }) => e.node);
    const readable = events.find((e) => e.imsi !== null && tokyo.has(e.imsi))!;
    const hidden = events.find((e) => e.imsi !== null && !tokyo.has(e.imsi))!;
    const NODE = `query($id: ID!) { node(id: $id) { id ... on Event { imsi } } }`;
    expect((await h.ok(NODE, { id: readable.id }, reader.token)).node).toEqual({ id: readable.id, imsi: readable.imsi });
    expect((await h.ok(NODE, { id: hidden.id }, reader.token)).node).toBeNull();
    expect((await h.ok(NODE, { id: hidden.id }, root.token)).node).toEqual({ id: hidden.id, imsi: hidden.imsi });
    const NODES = `query($ids: [ID!]!) { nodes(ids: $ids) { id } }`;
    expect((await h.ok(NODES, { ids: [hidden.id, readable.id] }, reader.token)).nodes).toEqual([null, { id: readable.id }]);
  });

  it("U4: events without a SIM: SIM_TRANSFER_CHANGED only with SimTransfer:read", async () => {
    const osaka = sims[3]!;
    await issued(h, root, other, [osaka.id]);
    const types = async (token: string) => (await walk(token, 1000)).seen.map((e) => e.type);
    expect(await types(root.token)).toContain("SIM_TRANSFER_CHANGED");
    expect(await types(reader.token)).not.toContain("SIM_TRANSFER_CHANGED");
    const withTransfers = await testUser(h, root, [{ effect: "ALLOW", actions: ["Event:read", "SimTransfer:read", "Sim:read"], resources: [SCOPE] }, { effect: "ALLOW", actions: ["Event:read", "SimTransfer:read"], resources: ["*"] }]);
    const theirs = (await walk(withTransfers.token, 1000)).seen;
    expect(theirs.map((e) => e.type)).toContain("SIM_TRANSFER_CHANGED");
    // The transferring SIM's own status change is still hidden: it is an osaka SIM.
    expect(theirs.filter((e) => e.imsi === osaka.imsi)).toEqual([]);
  });

  it("U4/V4: without Event:read, viewer.events and Subscription.events answer PERMISSION_DENIED", async () => {
    const noEvents = await testUser(h, root, [{ effect: "ALLOW", actions: ["Sim:read"], resources: ["*"] }]);
    const pulled = await h.gql(PAGE, { first: 5 }, noEvents.token);
    expect(pulled.errors?.[0]?.extensions?.code).toBe("PERMISSION_DENIED");
    const sub = await subscribeSse(base, `subscription { events { sequence } }`, {}, noEvents.token);
    expect((await sub.next())!.errors?.[0]?.extensions?.code).toBe("PERMISSION_DENIED");
    await sub.close();
  });

  it("U4: statements per pull are bounded and the root's pull is unchanged", async () => {
    const counted = async (token: string) => {
      const r = await sendCountedRead(h, PAGE, { first: 3 }, token);
      expect(r.body.errors).toBeUndefined();
      return r.statements;
    };
    const scoped = await counted(reader.token);
    const rooted = await counted(root.token);
    console.log(`events pull statements: scoped user ${scoped}, root ${rooted}`);
    // Session, last sequence, page IDs (SQL), rows, count: a handful whatever the hidden runs.
    expect(scoped).toBeLessThanOrEqual(rooted + 3);
  });
});

describe("V4: pushing the log", () => {
  it("V4/U4: a scoped user's subscription (SSE) receives only events of its SIMs, live, past hidden ones", async () => {
    const sub = await subscribeSse(base, `subscription { events { sequence imsi } }`, {}, reader.token);
    await new Promise((r) => setTimeout(r, 300));
    const order = [sims[1]!, sims[0]!, sims[2]!, sims[4]!, sims[5]!, sims[7]!, sims[13]!, sims[8]!];
    for (const [i, sim] of order.entries()) await rename(sim, `live-${i}`);
    const wanted = order.filter((s) => tokyo.has(s.imsi)).map((s) => s.imsi);
    const got: string[] = [];
    while (got.length < wanted.length) {
      const next = await sub.next(10_000);
      expect(next?.errors).toBeUndefined();
      got.push(next!.data.events.imsi);
    }
    expect(got).toEqual(wanted);
    // Nothing else arrives: a hidden event is not delivered late.
    await rename(sims[9]!, "hidden-after");
    await rename(sims[6]!, "shown-after");
    expect((await sub.next(10_000))!.data.events.imsi).toBe(sims[6]!.imsi);
    await sub.close();
  });
});

describe("V9, U4, U5, U8: webhooks of a user", () => {
  const hookUser = () =>
    testUser(h, root, [
      { effect: "ALLOW", actions: ["Event:read", "Sim:read"], resources: [SCOPE] },
      { effect: "ALLOW", actions: ["Event:read", "Webhook:*"], resources: ["*"] },
    ]);

  it("V9/U4: a user's endpoint is POSTed only events its owner may read; the others are FAILED unsent, and the user's delivery log lists only readable ones", async () => {
    const owner = await hookUser();
    const receiver = await startReceiver();
    const made = (await h.ok(CREATE, { i: { url: receiver.url, eventTypes: ["SIM_UPDATED"] } }, owner.token)).createWebhookEndpoint;
    expect(made.userErrors).toEqual([]);
    const order = [sims[2]!, sims[5]!, sims[4]!, sims[0]!];
    for (const [i, sim] of order.entries()) await rename(sim, `hook-${i}`);
    h.app.webhooks.wake();
    // Root sees every delivery of the endpoint: two sent, two closed by V9.
    const rootView = await until(async () => {
      const endpoint = (await h.ok(ENDPOINTS, {}, root.token)).viewer.webhookEndpoints.find((e: { id: string }) => e.id === made.endpoint.id);
      const done = endpoint.deliveries.edges.filter((e: any) => e.node.status !== "PENDING");
      return done.length === 4 ? endpoint : null;
    }, "four deliveries settled");
    const byImsi = new Map(rootView.deliveries.edges.map((e: any) => [e.node.event.imsi, e.node]));
    for (const sim of order) {
      const node: any = byImsi.get(sim.imsi);
      if (tokyo.has(sim.imsi)) expect(node.status).toBe("SUCCEEDED");
      else expect(node).toMatchObject({ status: "FAILED", lastError: "V9: the endpoint's owner may not read this event." });
    }
    const posted = receiver.received.map((r) => JSON.parse(r.body).data.imsi);
    expect(posted.sort()).toEqual(order.filter((s) => tokyo.has(s.imsi)).map((s) => s.imsi).sort());
    // U4: the owner's own log shows only the deliveries of events it may read.
    const mine = (await h.ok(ENDPOINTS, {}, owner.token)).viewer.webhookEndpoints;
    expect(mine.map((e: { id: string }) => e.id)).toEqual([made.endpoint.id]);
    expect(mine[0].deliveries.edges.map((e: any) => e.node.event.imsi).sort()).toEqual(posted.sort());
    expect(mine[0].deliveries.totalCount).toBe(2);
  });

  it("V9: a permission narrowed after the event was queued is applied at delivery time", async () => {
    const owner = await hookUser();
    const receiver = await startReceiver();
    receiver.fallback = 500; // the first attempt fails; the retry happens after the narrowing
    const made = (await h.ok(CREATE, { i: { url: receiver.url, eventTypes: ["SIM_UPDATED"] } }, owner.token)).createWebhookEndpoint;
    await rename(sims[13]!, "narrowed");
    h.app.webhooks.wake();
    await until(() => receiver.received.length >= 1, "first attempt");
    await h.app.db.user.update({ where: { id: owner.userId }, data: { permissions: JSON.stringify([{ effect: "ALLOW", actions: ["Event:read", "Webhook:*"], resources: ["*"] }]) } });
    receiver.fallback = 200;
    h.clock.advance(6_000);
    h.app.webhooks.wake();
    const delivery = await until(async () => {
      const endpoint = (await h.ok(ENDPOINTS, {}, root.token)).viewer.webhookEndpoints.find((e: { id: string }) => e.id === made.endpoint.id);
      const node = endpoint.deliveries.edges[0]?.node;
      return node?.status === "FAILED" ? node : null;
    }, "the retry closed by V9");
    expect(delivery.lastError).toBe("V9: the endpoint's owner may not read this event.");
    expect(receiver.received.length).toBe(1);
  });

  it("U5: another user's endpoint is null through node(id) and nodes(ids); the root reaches it", async () => {
    const owner = await hookUser();
    const stranger = await hookUser();
    const receiver = await startReceiver();
    const made = (await h.ok(CREATE, { i: { url: receiver.url } }, owner.token)).createWebhookEndpoint;
    const id = made.endpoint.id;
    const NODE = `query($id: ID!) { node(id: $id) { id ... on WebhookEndpoint { url } } nodes(ids: [$id]) { id } }`;
    expect(await h.ok(NODE, { id }, stranger.token)).toEqual({ node: null, nodes: [null] });
    expect((await h.ok(NODE, { id }, owner.token)).node.id).toBe(id);
    expect((await h.ok(NODE, { id }, root.token)).node.id).toBe(id);
    expect((await h.ok(ENDPOINTS, {}, stranger.token)).viewer.webhookEndpoints).toEqual([]);
  });

  it("U8: deleting a user disables its webhook endpoints at once", async () => {
    const owner = await hookUser();
    const receiver = await startReceiver();
    const made = (await h.ok(CREATE, { i: { url: receiver.url } }, owner.token)).createWebhookEndpoint;
    const out = await h.ok(`mutation($i: DeleteUserInput!) { deleteUser(input: $i) { userErrors { code } } }`, { i: { userId: encodeGlobalId("User", owner.userId) } }, root.token);
    expect(out.deleteUser.userErrors).toEqual([]);
    const endpoint = (await h.ok(ENDPOINTS, {}, root.token)).viewer.webhookEndpoints.find((e: { id: string }) => e.id === made.endpoint.id);
    expect(endpoint).toMatchObject({ enabled: false, disabledReason: "its user was deleted" });
  });
});
