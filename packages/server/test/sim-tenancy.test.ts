// O4 and O6 for every SIM mutation, bad input, and cursor paging inside a SIM's history.
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";
import { snapshot } from "./support/snapshot.ts";
import { ownSims, simAction } from "./support/sims.ts";

const h = await startHarness();
const owner = await signUp(h);
const other = await signUp(h);
const [ownersSim] = await ownSims(h, owner, 1);
const missing = Buffer.from("Sim:00000000-0000-7000-8000-000000000000").toString("base64");
const future = new Date(Date.now() + 86_400_000).toISOString();

const mutations: [string, string, (id: string) => Record<string, unknown>][] = [
  ...["activateSim", "deactivateSim", "setSimToStandby", "suspendSim", "terminateSim", "clearSimExpiry"].map(
    (m) => [m, `mutation($i: SimInput!) { ${m}(input: $i) { sim { id } userErrors { code field } } }`, (id: string) => ({ i: { simId: id } })] as [string, string, (id: string) => Record<string, unknown>],
  ),
  ["setSimTerminationProtection", `mutation($i: SetSimTerminationProtectionInput!) { setSimTerminationProtection(input: $i) { sim { id } userErrors { code field } } }`, (id) => ({ i: { simId: id, enabled: false } })],
  ["setSimExpiry", `mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { sim { id } userErrors { code field } } }`, (id) => ({ i: { simId: id, expiresAt: future, action: "DO_NOTHING" } })],
  ["updateSim", `mutation($i: UpdateSimInput!) { updateSim(input: $i) { sim { id } userErrors { code field } } }`, (id) => ({ i: { simId: id, name: "mine now" } })],
];

describe("O4 for SIMs", () => {
  it.each(mutations)("O4: %s with another operator's SIM answers exactly like a missing SIM, and changes nothing", async (name, doc, vars) => {
    const before = await snapshot(h.app.db);
    const foreign = await h.ok(doc, vars(ownersSim!.id), other.token);
    const absent = await h.ok(doc, vars(missing), other.token);
    expect(foreign).toEqual(absent);
    expect(foreign[name]).toEqual({ sim: null, userErrors: [{ code: "NOT_FOUND", field: ["input", "simId"] }] });
    expect(await snapshot(h.app.db)).toBe(before);
  });

  it("O4: listings, look-ups and nodes never show another operator's SIMs", async () => {
    const view = await h.ok(
      `query($imsi: String!, $id: ID!) { sim(imsi: $imsi) { id } node(id: $id) { id } viewer { sims(first: 100) { totalCount } } }`,
      { imsi: ownersSim!.imsi, id: ownersSim!.id },
      other.token,
    );
    expect(view).toEqual({ sim: null, node: null, viewer: { sims: { totalCount: 0 } } });
  });

  it("O6: every SIM mutation is audited, refusals included: each answer, refused or not, is the newest entry with its result and codes", async () => {
    const [sim] = await ownSims(h, owner, 1);
    const newest = async (action: string) =>
      (await h.ok(`query($a: String) { viewer { auditLog(first: 1, filter: { action: $a }) { edges { node { action targetIds result errorCodes } } } } }`, { a: action }, owner.token)).viewer.auditLog.edges[0]?.node;
    const results = new Set<string>();
    for (const [name, doc, vars] of mutations) {
      // A SIM that does not exist: always refused, NOT_FOUND.
      const absent = await h.ok(doc, vars(missing), owner.token);
      expect(absent[name].userErrors.map((e: { code: string }) => e.code)).toEqual(["NOT_FOUND"]);
      expect(await newest(name)).toMatchObject({ action: name, result: "REFUSED", errorCodes: ["NOT_FOUND"] });
      // The caller's own SIM: refused or not as the SIM's state has it, audited either way.
      const own = await h.ok(doc, vars(sim!.id), owner.token);
      const errorCodes = own[name].userErrors.map((e: { code: string }) => e.code);
      const result = errorCodes.length ? "REFUSED" : "SUCCEEDED";
      results.add(result);
      expect(await newest(name)).toEqual({ action: name, targetIds: [sim!.id], result, errorCodes });
    }
    // The sequence (terminateSim while termination protection is on, …) includes both outcomes.
    expect([...results].sort()).toEqual(["REFUSED", "SUCCEEDED"]);
  });
});

describe("bad input for SIMs", () => {
  it.each([
    ["malformed IMSI at registration", `mutation { registerSim(input: { imsi: "12ab", registrationSecret: "whatever-secret" }) { userErrors { code } } }`, "SIM_REGISTRATION_INVALID"],
    ["garbage SIM ID", `mutation { activateSim(input: { simId: "%%%" }) { userErrors { code } } }`, "NOT_FOUND"],
    ["expiry in the past", `mutation($id: ID!) { setSimExpiry(input: { simId: $id, expiresAt: "2000-01-01T00:00:00Z", action: DO_NOTHING }) { userErrors { code } } }`, "EXPIRY_IN_PAST"],
  ])("%s: a clear user error, nothing changed", async (_n, doc, code) => {
    const before = await snapshot(h.app.db);
    const res = await h.gql(doc, { id: ownersSim!.id }, owner.token);
    expect(res.errors).toBeUndefined();
    expect((Object.values(res.data!)[0] as { userErrors: { code: string }[] }).userErrors.map((e) => e.code)).toEqual([code]);
    expect(await snapshot(h.app.db)).toBe(before);
  });

  it("non-ISO expiry times are GraphQL validation errors, not 500s", async () => {
    const res = await h.raw({
      body: { query: `mutation($id: ID!) { setSimExpiry(input: { simId: $id, expiresAt: "tomorrow", action: DO_NOTHING }) { userErrors { code } } }`, variables: { id: ownersSim!.id } },
      headers: { authorization: `Bearer ${owner.token}` },
    });
    expect(res.status).toBeLessThan(500);
    expect(JSON.stringify(await res.json())).toMatch(/ISO 8601|DateTime/);
  });
});

describe("cursor paging inside a relation", () => {
  it("statusHistory pages by cursor without skipping or repeating", async () => {
    const [sim] = await ownSims(h, owner, 1);
    for (let i = 0; i < 6; i++) {
      await simAction(h, owner, "deactivateSim", sim!.id);
      await simAction(h, owner, "activateSim", sim!.id);
    }
    const PAGE = `query($id: ID!, $after: String) { node(id: $id) { ... on Sim { statusHistory(first: 5, after: $after) {
      totalCount pageInfo { hasNextPage endCursor } edges { node { from to } } } } } }`;
    const seen: { from: string | null; to: string }[] = [];
    let after: string | undefined;
    let pages = 0;
    for (;;) {
      const page = (await h.ok(PAGE, { id: sim!.id, after }, owner.token)).node.statusHistory;
      expect(page.totalCount).toBe(13);
      seen.push(...page.edges.map((e: { node: { from: string | null; to: string } }) => e.node));
      pages += 1;
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(pages).toBe(3);
    expect(seen).toHaveLength(13);
    expect(seen.at(-1)).toEqual({ from: null, to: "READY" });
    expect(seen.slice(0, 2)).toEqual([{ from: "INACTIVE", to: "ACTIVE" }, { from: "ACTIVE", to: "INACTIVE" }]);
  });
});

describe("E10 routing that depends on SIMs", () => {
  it("E10: TRAFFIC_THRESHOLD applies with a live planX3 / plan-D SIM; MONTHLY_BILLING_STATEMENT to card payers with GLOBAL SIMs", async () => {
    const op = await signUp(h);
    const route = async (kind: string) =>
      (await h.ok(`query($k: NotificationKind!) { viewer { notificationRecipients(kind: $k) { to applicable } } }`, { k: kind }, op.token)).viewer.notificationRecipients;
    expect(await route("TRAFFIC_THRESHOLD")).toEqual({ to: [], applicable: false });
    await h.ok(`mutation { registerPaymentMethod(input: { type: CREDIT_CARD, cardLast4: "4242" }) { userErrors { code } } }`, {}, op.token);
    expect((await route("MONTHLY_BILLING_STATEMENT")).applicable).toBe(false);
    await ownSims(h, op, 1, { subscription: "plan-D", coverage: "JAPAN" });
    expect(await route("TRAFFIC_THRESHOLD")).toEqual({ to: [op.email], applicable: true });
    expect((await route("MONTHLY_BILLING_STATEMENT")).applicable).toBe(false);
    await ownSims(h, op, 1, { subscription: "plan01s", coverage: "GLOBAL" });
    expect(await route("MONTHLY_BILLING_STATEMENT")).toEqual({ to: [op.email], applicable: true });
  });
});
