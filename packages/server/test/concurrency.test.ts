// Rules that must hold under concurrent requests.
import { describe, expect, it } from "vitest";
import { lastMail, signUp, uniqueEmail } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";

const h = await startHarness();

describe("concurrency", () => {
  it("E5: a verification token used by 20 concurrent requests verifies exactly once", async () => {
    const op = await signUp(h);
    const address = uniqueEmail("race");
    await h.ok(`mutation($a: String!) { addEmailAddress(input: { address: $a }) { userErrors { code } } }`, { a: address }, op.token);
    const token = (await lastMail(h, address, "EMAIL_VERIFICATION"))!.token;
    const results = await Promise.all(
      Array.from({ length: 20 }, () => h.ok(`mutation($t: String!) { verifyEmailAddress(input: { token: $t }) { userErrors { code } } }`, { t: token })),
    );
    const wins = results.filter((r) => r.verifyEmailAddress.userErrors.length === 0);
    expect(wins).toHaveLength(1);
    expect(results.filter((r) => r.verifyEmailAddress.userErrors[0]?.code === "VERIFICATION_TOKEN_INVALID")).toHaveLength(19);
    const log = await h.ok(`{ viewer { auditLog(first: 50, filter: { action: "verifyEmailAddress" }) { edges { node { result } } } } }`, {}, op.token);
    // Losers that still found the token are audited as refused; the rest no longer name an operator.
    const logged = log.viewer.auditLog.edges.map((e: { node: { result: string } }) => e.node.result);
    expect(logged.filter((r: string) => r === "SUCCEEDED")).toHaveLength(1);
    expect(logged.length).toBeLessThanOrEqual(20);
  });

  it("E4: 10 concurrent sign-ups with one address create exactly one operator", async () => {
    const email = uniqueEmail("signup-race");
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        h.ok(`mutation($i: SignUpInput!) { signUp(input: $i) { operator { id } userErrors { code } } }`, { i: { email, password: "long enough pw", name: `racer ${i}` } }),
      ),
    );
    expect(results.filter((r) => r.signUp.operator !== null)).toHaveLength(1);
    expect(results.filter((r) => r.signUp.userErrors[0]?.code === "EMAIL_PRIMARY_OF_OTHER_OPERATOR")).toHaveLength(9);
    expect(await h.app.db.emailAddress.count({ where: { normalized: email } })).toBe(1);
  });

  it("E9: concurrent additions never take an operator past 20 added addresses", async () => {
    const op = await signUp(h);
    const results = await Promise.all(
      Array.from({ length: 25 }, () => h.ok(`mutation($a: String!) { addEmailAddress(input: { address: $a }) { userErrors { code } } }`, { a: uniqueEmail("burst") }, op.token)),
    );
    expect(results.filter((r) => r.addEmailAddress.userErrors.length === 0)).toHaveLength(20);
    expect(results.filter((r) => r.addEmailAddress.userErrors[0]?.code === "EMAIL_LIMIT_EXCEEDED")).toHaveLength(5);
    expect(await h.app.db.emailAddress.count({ where: { operator: { operatorId: op.operatorId } } })).toBe(21);
  });
});
