// O6: every mutation, succeeded or refused, is in the operator's audit log.
import { describe, expect, it } from "vitest";
import { addVerifiedEmail, setRole, signUp, uniqueEmail } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";

const h = await startHarness();

const LOG = `query($filter: AuditLogFilter, $first: Int, $after: String) { viewer { auditLog(filter: $filter, first: $first, after: $after) {
  totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id at action actor targetIds result errorCodes } } } } }`;

type Entry = { action: string; actor: string; targetIds: string[]; result: string; errorCodes: string[] };

async function log(token: string, filter?: Record<string, unknown>, first = 100): Promise<Entry[]> {
  const data = await h.ok(LOG, { filter, first }, token);
  return data.viewer.auditLog.edges.map((e: { node: Entry }) => e.node);
}

describe("O6 audit log", () => {
  it("O6: records every mutation of the account, newest first, with actor, targets and result", async () => {
    const op = await signUp(h);
    const address = uniqueEmail("audited");
    const id = await addVerifiedEmail(h, op, address);
    await setRole(h, op, "BILLING", [id]);
    await setRole(h, op, "PRIMARY", [id]); // refused: no password (judged before anything else)
    await h.ok(`mutation { registerPaymentMethod(input: { type: CREDIT_CARD }) { userErrors { code } } }`, {}, op.token); // refused
    await h.ok(`mutation { createAuthKey { authKeyId } }`, {}, op.token);
    await h.ok(`mutation { logout { userErrors { code } } }`, {}, op.token);

    const token = (await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: op.email, password: op.password } })).authenticate.token;
    const entries = await log(token);
    expect(entries.map((e) => [e.action, e.result, e.errorCodes])).toEqual([
      ["authenticate", "SUCCEEDED", []],
      ["logout", "SUCCEEDED", []],
      ["createAuthKey", "SUCCEEDED", []],
      ["registerPaymentMethod", "REFUSED", ["INVALID_INPUT"]],
      ["setEmailRole", "REFUSED", ["CREDENTIALS_INVALID"]],
      ["setEmailRole", "SUCCEEDED", []],
      ["verifyEmailAddress", "SUCCEEDED", []],
      ["addEmailAddress", "SUCCEEDED", []],
      ["signUp", "SUCCEEDED", []],
    ]);
    expect(entries.find((e) => e.action === "addEmailAddress")).toMatchObject({ actor: op.email, targetIds: [id] });
    expect(entries.find((e) => e.action === "signUp")).toMatchObject({ actor: op.email, targetIds: [op.id] });
    expect(entries.find((e) => e.action === "verifyEmailAddress")).toMatchObject({ actor: address, targetIds: [id] });
  });

  it("O6: failed sign-ins with a known address are recorded for that operator", async () => {
    const op = await signUp(h);
    await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: op.email, password: "wrong password!" } });
    const [latest] = await log(op.token, undefined, 1);
    expect(latest).toMatchObject({ action: "authenticate", result: "REFUSED", errorCodes: ["CREDENTIALS_INVALID"], actor: op.email });
  });

  it("O6: filters by action, target and time", async () => {
    const op = await signUp(h);
    const a = await addVerifiedEmail(h, op);
    await addVerifiedEmail(h, op);
    expect((await log(op.token, { action: "addEmailAddress" })).length).toBe(2);
    const byTarget = await log(op.token, { targetId: a });
    expect(byTarget.map((e) => e.action)).toEqual(["verifyEmailAddress", "addEmailAddress"]);
    expect(await log(op.token, { since: new Date(Date.now() + 3_600_000).toISOString() })).toEqual([]);
    expect((await log(op.token, { until: new Date(Date.now() + 3_600_000).toISOString() })).length).toBe(5);
  });

  it("O6: pages by cursor with totalCount", async () => {
    const op = await signUp(h);
    for (let i = 0; i < 4; i++) await h.ok(`mutation { createAuthKey { authKeyId } }`, {}, op.token);
    const seen: string[] = [];
    let after: string | undefined;
    for (;;) {
      const page = (await h.ok(LOG, { first: 2, after }, op.token)).viewer.auditLog;
      expect(page.totalCount).toBe(5);
      seen.push(...page.edges.map((e: { node: { id: string } }) => e.node.id));
      if (!page.pageInfo.hasNextPage) break;
      after = page.pageInfo.endCursor;
    }
    expect(seen).toHaveLength(5);
    expect(new Set(seen).size).toBe(5);
  });
});
