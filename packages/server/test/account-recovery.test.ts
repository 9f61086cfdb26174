// E6: requestAccountRecovery answers the same, after the same work, whether or not the operator
// exists; the scheduler opens the case, audits and mails afterwards.
import { describe, expect, it } from "vitest";
import { addVerifiedEmail, lastMail, setRole, signUp, uniqueEmail } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";

const h = await startHarness();

const RECOVERY = `mutation($i: RequestAccountRecoveryInput!) { requestAccountRecovery(input: $i) { accepted userErrors { code } } }`;

async function ask(input: Record<string, string>) {
  const response = await h.raw({ body: { query: RECOVERY, variables: { i: input } } });
  return { status: response.status, text: await response.text() };
}

/** The statements one request issues, and how long it took. */
async function traced(input: Record<string, string>) {
  h.statements.reset();
  h.statements.counting = true;
  const started = performance.now();
  const answer = await ask(input);
  const ms = performance.now() - started;
  h.statements.counting = false;
  return { answer, ms, sql: [...h.statements.sql] };
}

const median = (xs: number[]) => {
  const sorted = [...xs].sort((a, b) => a - b);
  return (sorted[(sorted.length - 1) >> 1]! + sorted[sorted.length >> 1]!) / 2;
};

async function tickets(op: { token: string }) {
  const data = await h.ok(`{ viewer { supportTickets(first: 50) { totalCount edges { node { category status subject } } } } }`, {}, op.token);
  return data.viewer.supportTickets;
}

async function recoveryAudit(op: { token: string }) {
  const data = await h.ok(
    `{ viewer { auditLog(first: 50, filter: { action: "requestAccountRecovery" }) { edges { node { actor result targetIds } } } } }`,
    {},
    op.token,
  );
  return data.viewer.auditLog.edges.map((e: { node: unknown }) => e.node);
}

describe("E6: account recovery tells nothing about the account", () => {
  it("E6: a request for a real operator issues exactly the statements of one for an unknown address, and takes as long", async () => {
    const op = await signUp(h);
    await setRole(h, op, "RECOVERY", [await addVerifiedEmail(h, op, uniqueEmail("recovery"))]);
    const known: Awaited<ReturnType<typeof traced>>[] = [];
    const unknown: Awaited<ReturnType<typeof traced>>[] = [];
    // Interleaved in pairs, the order alternating, so load on the machine falls on both alike.
    for (let i = 0; i < 40; i += 1) {
      if (i % 2 === 0) known.push(await traced({ primaryEmail: op.email }));
      unknown.push(await traced({ primaryEmail: uniqueEmail("nobody") }));
      if (i % 2 === 1) known.push(await traced({ primaryEmail: op.email }));
    }
    const [reference] = unknown;
    expect(reference!.sql.length).toBeGreaterThan(0);
    for (const run of [...known, ...unknown]) {
      expect(run.answer).toEqual(reference!.answer);
      expect(run.sql).toEqual(reference!.sql);
    }
    // Timing, loose on purpose (a shared, loaded machine; the statements above are the real
    // assertion): a sign test over the pairs. With the same work either side is slower about half
    // the time; a difference of a few milliseconds, as a lookup with writes makes, shows in nearly all.
    const slowerWhenReal = known.filter((r, i) => r.ms > unknown[i]!.ms).length;
    const medians = `medians ${median(known.map((r) => r.ms)).toFixed(2)} ms (real) vs ${median(unknown.map((r) => r.ms)).toFixed(2)} ms (unknown)`;
    expect(slowerWhenReal, medians).toBeGreaterThanOrEqual(8);
    expect(slowerWhenReal, medians).toBeLessThanOrEqual(32);
    // Nothing about the account happened in those requests; the scheduler does it once per request.
    expect((await tickets(op)).totalCount).toBe(0);
    expect(await lastMail(h, op.email, "ACCOUNT_RECOVERY")).toBeUndefined();
    expect((await h.app.scheduler.runOnce()).accountRecoveries).toBe(40);
    expect((await tickets(op)).totalCount).toBe(40);
    expect(await h.app.db.accountRecoveryRequest.count()).toBe(0);
  });

  it("E6: the scheduler opens an ACCOUNT_RECOVERY case, audits it as the anonymous request and mails the recovery address", async () => {
    const op = await signUp(h);
    const recovery = uniqueEmail("recovery");
    await setRole(h, op, "RECOVERY", [await addVerifiedEmail(h, op, recovery)]);
    expect(JSON.parse((await ask({ operatorId: op.operatorId, primaryEmail: op.email })).text).data.requestAccountRecovery).toEqual({ accepted: true, userErrors: [] });
    await h.ok(`mutation { adminRunDueJobs { expiriesApplied } }`, {}, ADMIN_SECRET);
    expect((await tickets(op)).edges.map((e: { node: unknown }) => e.node)).toEqual([{ category: "ACCOUNT_RECOVERY", status: "OPEN", subject: "Account recovery request" }]);
    const mail = await lastMail(h, recovery, "ACCOUNT_RECOVERY");
    expect(mail?.to).toEqual([recovery]);
    expect(mail?.body).toContain(op.operatorId);
    expect(await recoveryAudit(op)).toEqual([{ actor: "anonymous (account recovery)", result: "SUCCEEDED", targetIds: [op.id, expect.any(String)] }]);
  });

  it("E6: a request naming no operator (or an ID and an address of two different ones) leaves nothing behind once handled", async () => {
    const a = await signUp(h);
    const b = await signUp(h);
    await ask({ primaryEmail: uniqueEmail("ghost") });
    await ask({ operatorId: "OP0000000000" });
    await ask({ operatorId: a.operatorId, primaryEmail: b.email });
    expect(await h.app.db.accountRecoveryRequest.count()).toBe(3);
    expect((await h.app.scheduler.runOnce()).accountRecoveries).toBe(0);
    expect(await h.app.db.accountRecoveryRequest.count()).toBe(0);
    expect([(await tickets(a)).totalCount, (await tickets(b)).totalCount]).toEqual([0, 0]);
  });

  it("E6: two schedulers at once handle each request exactly once", async () => {
    const op = await signUp(h);
    for (let i = 0; i < 5; i += 1) await ask({ operatorId: op.operatorId });
    const [one, two] = await Promise.all([h.app.scheduler.runOnce(), h.ok(`mutation { adminRunDueJobs { expiriesApplied } }`, {}, ADMIN_SECRET).then(() => null)]);
    expect(one!.accountRecoveries).toBeLessThanOrEqual(5);
    expect((await tickets(op)).totalCount).toBe(5);
    expect(await recoveryAudit(op)).toHaveLength(5);
  });
});
