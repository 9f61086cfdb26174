// U3–U5, U8, U10 through HTTP: one table of (statements, call) -> answer over every action area,
// root-only fields, public and admin fields; refusals of mutations are audited with the user as actor.
import { beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestOperator } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";
import { ownSims } from "./support/sims.ts";
import { setStatements, testUser } from "./support/users.ts";

const h = await startHarness();
let root: TestOperator;
let sims: { id: string; imsi: string }[];

beforeAll(async () => {
  root = await signUp(h);
  sims = await ownSims(h, root, 2);
});

type Statement = { effect: "ALLOW" | "DENY"; actions: string[]; resources: string[] };
const allow = (actions: string[], resources = ["*"]): Statement => ({ effect: "ALLOW", actions, resources });
const deny = (actions: string[], resources = ["*"]): Statement => ({ effect: "DENY", actions, resources });

/** What a call answered: "ok", a GraphQL error code, or a payload's first userErrors code. */
type Answer = "ok" | "PERMISSION_DENIED" | "UNAUTHENTICATED" | "FORBIDDEN" | "NOT_FOUND" | string;

interface Row {
  rule: string;
  statements: Statement[];
  query: string;
  variables?: () => Record<string, unknown>;
  /** For mutations: the payload field whose userErrors tell the answer. */
  payload?: string;
  expected: Answer;
}

const SUPPORT_TICKET = { input: { category: "BILLING_AND_CONTRACT", subject: "Invoice", body: "Which month?" } };

const rows: Row[] = [
  // U3: a user with no statements may only say who it is.
  { rule: "U3", statements: [], query: `{ viewer { id operatorId name } }`, expected: "ok" },
  { rule: "U3", statements: [], query: `{ viewer { supportTickets(first: 1) { totalCount } } }`, expected: "PERMISSION_DENIED" },
  { rule: "U3", statements: [], query: `{ viewer { auditLog(first: 1) { totalCount } } }`, expected: "PERMISSION_DENIED" },
  { rule: "U3", statements: [], query: `{ viewer { simTransfers(direction: OUTGOING, first: 1) { totalCount } } }`, expected: "PERMISSION_DENIED" },
  { rule: "U3", statements: [], query: `mutation($i: SimInput!) { suspendSim(input: $i) { userErrors { code } } }`, variables: () => ({ i: { simId: sims[0]!.id } }), payload: "suspendSim", expected: "PERMISSION_DENIED" },
  // Sim area.
  { rule: "U3 Sim", statements: [allow(["Sim:read"])], query: `{ viewer { sims(first: 5) { totalCount } } }`, expected: "ok" },
  { rule: "U3 Sim", statements: [allow(["Sim:read"])], query: `mutation($i: SimInput!) { suspendSim(input: $i) { userErrors { code } } }`, variables: () => ({ i: { simId: sims[0]!.id } }), payload: "suspendSim", expected: "PERMISSION_DENIED" },
  { rule: "U3 Sim", statements: [allow(["Sim:*"])], query: `mutation($i: SimInput!) { clearSimExpiry(input: $i) { userErrors { code } } }`, variables: () => ({ i: { simId: sims[1]!.id } }), payload: "clearSimExpiry", expected: "ok" },
  { rule: "U3 Sim", statements: [allow(["*"]), deny(["Sim:clearSimExpiry"])], query: `mutation($i: SimInput!) { clearSimExpiry(input: $i) { userErrors { code } } }`, variables: () => ({ i: { simId: sims[1]!.id } }), payload: "clearSimExpiry", expected: "PERMISSION_DENIED" },
  { rule: "U3 Sim", statements: [allow(["Sim:read", "Sim:terminateSims"])], query: `mutation($i: TerminateSimsInput!) { terminateSims(input: $i) { results { userErrors { code } } userErrors { code } } }`, variables: () => ({ i: { simIds: [sims[0]!.id] } }), payload: "terminateSims", expected: "TERMINATION_PROTECTED" },
  // U4: acting on a SIM needs reading it; an unreadable SIM does not exist for the user.
  { rule: "U4 Sim", statements: [allow(["Sim:terminateSims"])], query: `mutation($i: TerminateSimsInput!) { terminateSims(input: $i) { results { userErrors { code } } userErrors { code } } }`, variables: () => ({ i: { simIds: [sims[0]!.id] } }), payload: "terminateSims", expected: "NOT_FOUND" },
  // SimTransfer area.
  { rule: "U3 SimTransfer", statements: [allow(["SimTransfer:read"])], query: `{ viewer { simTransfers(direction: OUTGOING, first: 1) { totalCount } } }`, expected: "ok" },
  { rule: "U3 SimTransfer", statements: [allow(["SimTransfer:read"])], query: `mutation { cancelSimTransfer(input: { transferId: "x" }) { userErrors { code } } }`, payload: "cancelSimTransfer", expected: "PERMISSION_DENIED" },
  { rule: "U3 SimTransfer", statements: [allow(["SimTransfer:cancelSimTransfer"])], query: `mutation { cancelSimTransfer(input: { transferId: "x" }) { userErrors { code } } }`, payload: "cancelSimTransfer", expected: "NOT_FOUND" },
  // Support area.
  { rule: "U3 Support", statements: [allow(["Support:read"])], query: `{ viewer { supportTickets(first: 1) { totalCount } officeHoursRequests(first: 1) { totalCount } } }`, expected: "ok" },
  { rule: "U3 Support", statements: [allow(["Support:read"])], query: `mutation($input: CreateSupportTicketInput!) { createSupportTicket(input: $input) { userErrors { code } } }`, variables: () => SUPPORT_TICKET, payload: "createSupportTicket", expected: "PERMISSION_DENIED" },
  { rule: "U3 Support", statements: [allow(["Support:createSupportTicket"])], query: `mutation($input: CreateSupportTicketInput!) { createSupportTicket(input: $input) { userErrors { code } } }`, variables: () => SUPPORT_TICKET, payload: "createSupportTicket", expected: "ok" },
  // AuditLog area.
  { rule: "U3 AuditLog", statements: [allow(["AuditLog:read"])], query: `{ viewer { auditLog(first: 1) { totalCount } } }`, expected: "ok" },
  { rule: "U3 AuditLog", statements: [allow(["*"]), deny(["AuditLog:*"])], query: `{ viewer { auditLog(first: 1) { totalCount } } }`, expected: "PERMISSION_DENIED" },
  // U5: root only, whatever the statements say.
  { rule: "U5", statements: [allow(["*"])], query: `{ viewer { primaryEmail { address } } }`, expected: "PERMISSION_DENIED" },
  { rule: "U5", statements: [allow(["*"])], query: `{ viewer { emailAddresses { address } } }`, expected: "PERMISSION_DENIED" },
  { rule: "U5", statements: [allow(["*"])], query: `{ viewer { supportPlan } }`, expected: "PERMISSION_DENIED" },
  { rule: "U5", statements: [allow(["*"])], query: `{ viewer { paymentMethod { type } } }`, expected: "PERMISSION_DENIED" },
  { rule: "U5", statements: [allow(["*"])], query: `{ viewer { authKeys { __typename } } }`, expected: "PERMISSION_DENIED" },
  { rule: "U5", statements: [allow(["*"])], query: `mutation { addEmailAddress(input: { address: "someone@example.com" }) { userErrors { code } } }`, payload: "addEmailAddress", expected: "PERMISSION_DENIED" },
  { rule: "U5", statements: [allow(["*"])], query: `mutation { changeSupportPlan(input: { plan: PRIORITY }) { userErrors { code } } }`, payload: "changeSupportPlan", expected: "PERMISSION_DENIED" },
  { rule: "U5", statements: [allow(["*"])], query: `mutation { acceptSimTransfer(input: { token: "x" }) { userErrors { code } } }`, payload: "acceptSimTransfer", expected: "PERMISSION_DENIED" },
  { rule: "U5", statements: [allow(["*"])], query: `mutation { createAuthKey(input: { password: "x" }) { userErrors { code } } }`, payload: "createAuthKey", expected: "PERMISSION_DENIED" },
  // Public fields answer anyone; admin fields only the administrator (O5).
  { rule: "O3 public", statements: [], query: `mutation { requestAccountRecovery(input: { operatorId: "OP0000000000" }) { userErrors { code } } }`, payload: "requestAccountRecovery", expected: "ok" },
  { rule: "O5", statements: [allow(["*"])], query: `{ adminOutbox(first: 1) { id } }`, expected: "FORBIDDEN" },
];

async function answer(row: Row, token: string): Promise<Answer> {
  const result = await h.gql(row.query, row.variables?.() ?? {}, token);
  if (result.errors?.length) return String(result.errors[0]!.extensions?.code);
  if (row.payload) {
    const p = result.data[row.payload];
    const errors = [...(p.userErrors ?? []), ...(p.results ?? []).flatMap((r: { userErrors: { code: string }[] }) => r.userErrors)];
    return errors.length ? errors[0].code : "ok";
  }
  return "ok";
}

describe("permissions (U3–U5)", () => {
  for (const row of rows) {
    it(`${row.rule}: ${JSON.stringify(row.statements)} → ${row.query.replace(/\s+/g, " ").slice(0, 70)} answers ${row.expected}`, async () => {
      const user = await testUser(h, root, row.statements);
      expect(await answer(row, user.token)).toBe(row.expected);
    });
  }

  it("U5: the root user passes every field the table refuses to a user", async () => {
    const result = await h.gql(`{ viewer { primaryEmail { address } supportPlan auditLog(first: 1) { totalCount } supportTickets(first: 1) { totalCount } } }`, {}, root.token);
    expect(result.errors).toBeUndefined();
  });

  it("U10: a refused mutation is audited as REFUSED with PERMISSION_DENIED, naming user:<name>", async () => {
    const user = await testUser(h, root, [allow(["Sim:read"])]);
    const refused = await h.ok(`mutation($i: SimInput!) { suspendSim(input: $i) { sim { id } userErrors { code message } } }`, { i: { simId: sims[1]!.id } }, user.token);
    expect(refused.suspendSim.sim).toBeNull();
    expect(refused.suspendSim.userErrors.map((e: { code: string }) => e.code)).toEqual(["PERMISSION_DENIED"]);
    const log = await h.ok(`{ viewer { auditLog(first: 5) { edges { node { action actor result errorCodes } } } } }`, {}, root.token);
    expect(log.viewer.auditLog.edges.map((e: { node: unknown }) => e.node)).toContainEqual({ action: "suspendSim", actor: `user:${user.name}`, result: "REFUSED", errorCodes: ["PERMISSION_DENIED"] });
    const status = await h.ok(`query($imsi: String!) { sim(imsi: $imsi) { status } }`, { imsi: sims[1]!.imsi }, root.token);
    expect(status.sim.status).toBe("READY");
  });

  it("U8: a permission change applies on the user's next request", async () => {
    const user = await testUser(h, root, []);
    const query = `{ viewer { auditLog(first: 1) { totalCount } } }`;
    expect((await h.gql(query, {}, user.token)).errors?.[0]?.extensions?.code).toBe("PERMISSION_DENIED");
    await setStatements(h, user, [allow(["AuditLog:read"])]);
    expect((await h.gql(query, {}, user.token)).errors).toBeUndefined();
    await setStatements(h, user, [allow(["AuditLog:read"]), deny(["*"])]);
    expect((await h.gql(query, {}, user.token)).errors?.[0]?.extensions?.code).toBe("PERMISSION_DENIED");
  });

  it("O3: without a token, signed-in fields answer UNAUTHENTICATED and viewer is null", async () => {
    expect((await h.gql(`{ viewer { id } }`)).data).toEqual({ viewer: null });
    expect((await h.gql(`{ sim(imsi: "1") { id } }`)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    expect((await h.gql(`mutation { logout { userErrors { code } } }`)).errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
