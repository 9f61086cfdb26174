// Fair use of the database: one operator's writes cannot hold the connections and locks every
// other tenant needs. Mutations read other operators' rows on their own transaction (the harness
// fails any test that sends a statement beside an open transaction), take turns per operator, and
// give up on a lock quickly with a retryable refusal that changes nothing.
import Database from "better-sqlite3";
import { describe, expect, it } from "vitest";
import { addVerifiedEmail, setRole, signUp, uniqueEmail } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";
import { ownSims, simAction } from "./support/sims.ts";
import { issue } from "./support/transfers.ts";
import { testEngine } from "./support/test-database.ts";

// The production transaction limits (the harness loosens them for the shared test machine).
const productionTransactions = { SIMGATE_TRANSACTION_TIMEOUT_MS: "5000", SIMGATE_TRANSACTION_MAX_WAIT_MS: "2000" };
const h = await startHarness({ env: { ...productionTransactions, SIMGATE_LOCK_TIMEOUT_MS: "300" } });
// Admits one write per operator and lets nothing wait: every overlapping write is refused.
const strict = await startHarness({ env: { ...productionTransactions, SIMGATE_MAX_CONCURRENT_WRITES_PER_OPERATOR: "1", SIMGATE_WRITE_QUEUE_TIMEOUT_MS: "0" } });

const ADD = `mutation($a: String!) { addEmailAddress(input: { address: $a }) { emailAddress { id } userErrors { code } } }`;

async function addressCount(operatorId: string): Promise<number> {
  return h.app.db.emailAddress.count({ where: { operator: { operatorId } } });
}

describe("fair use of the database", () => {
  it("E4: without the right password setEmailRole(PRIMARY) answers CREDENTIALS_INVALID alike, whether or not the address is another operator's primary", async () => {
    const other = await signUp(h);
    const op = await signUp(h);
    const theirs = await addVerifiedEmail(h, op, other.email.toUpperCase());
    const plain = await addVerifiedEmail(h, op);
    const answers = [];
    for (const id of [theirs, plain]) {
      for (const password of [undefined, "not the password"]) answers.push(await setRole(h, op, "PRIMARY", [id], password));
    }
    for (const answer of answers) {
      expect(answer).toEqual({ operator: null, userErrors: [{ code: "CREDENTIALS_INVALID", message: expect.any(String), field: ["input", "password"] }] });
    }
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    // With the password the rule itself still answers.
    expect((await setRole(h, op, "PRIMARY", [theirs], op.password)).userErrors.map((e) => e.code)).toEqual(["EMAIL_PRIMARY_OF_OTHER_OPERATOR"]);
  });

  it("setEmailRole, issueSimTransfer and applyForSimTransfer read other operators' rows on their own transaction", async () => {
    const other = await signUp(h);
    const op = await signUp(h);
    const theirs = await addVerifiedEmail(h, op, other.email);
    expect((await setRole(h, op, "PRIMARY", [theirs], op.password)).userErrors.map((e) => e.code)).toEqual(["EMAIL_PRIMARY_OF_OTHER_OPERATOR"]);
    const [ready, active] = await ownSims(h, op, 2);
    expect((await issue(h, op, other, [ready!.id])).userErrors).toEqual([]);
    await simAction(h, op, "activateSim", active!.id);
    const applied = await h.ok(
      `mutation($i: ApplyForSimTransferInput!) { applyForSimTransfer(input: $i) { ticket { id } userErrors { code } } }`,
      { i: { simIds: [active!.id], destinationOperatorId: other.operatorId, destinationEmail: other.email } },
      op.token,
    );
    expect(applied.applyForSimTransfer.userErrors).toEqual([]);
    // The harness fails this test if any of those sent a statement beside its transaction.
  });

  it("writes beyond an operator's share that cannot wait are refused OPERATOR_BUSY (HTTP 429, Retry-After) and change nothing", async () => {
    const op = await signUp(strict);
    const other = await signUp(strict);
    const answers = await Promise.all(
      Array.from({ length: 12 }, async () => {
        const response = await strict.raw({ body: { query: ADD, variables: { a: uniqueEmail("burst") } }, headers: { authorization: `Bearer ${op.token}` } });
        return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as any };
      }),
    );
    const busy = answers.filter((a) => a.status === 429);
    const done = answers.filter((a) => a.status === 200);
    expect(busy.length + done.length).toBe(answers.length);
    expect(busy.length).toBeGreaterThan(0);
    for (const answer of busy) {
      expect(answer.retryAfter).toBe("1");
      expect(answer.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: "OPERATOR_BUSY", retryAfterSeconds: 1 }) })]);
      expect(answer.body.data?.addEmailAddress ?? null).toBeNull();
    }
    for (const answer of done) expect(answer.body.data.addEmailAddress.userErrors).toEqual([]);
    // Only the admitted writes happened, and only they are in the audit log.
    expect(await strict.app.db.emailAddress.count({ where: { operator: { operatorId: op.operatorId } } })).toBe(1 + done.length);
    expect(await strict.app.db.auditLogEntry.count({ where: { operator: { operatorId: op.operatorId }, action: "addEmailAddress" } })).toBe(done.length);
    // Another operator's writes are not in that queue.
    expect((await strict.ok(ADD, { a: uniqueEmail("other") }, other.token)).addEmailAddress.userErrors).toEqual([]);
  });

  it("a write that cannot get its lock within SIMGATE_LOCK_TIMEOUT_MS is refused OPERATOR_BUSY (HTTP 429) and changes nothing; then it goes through", async () => {
    const op = await signUp(h);
    const before = await addressCount(op.operatorId);
    const row = await h.app.db.operator.findUniqueOrThrow({ where: { operatorId: op.operatorId }, select: { id: true } });
    const release = await holdWriteLock(row.id);
    let response: Response;
    try {
      response = await h.raw({ body: { query: ADD, variables: { a: uniqueEmail("locked") } }, headers: { authorization: `Bearer ${op.token}` } });
    } finally {
      await release();
    }
    const body = (await response.json()) as any;
    expect(response.status, JSON.stringify(body)).toBe(429);
    expect(response.headers.get("retry-after")).toBe("1");
    expect(body.errors[0].extensions.code).toBe("OPERATOR_BUSY");
    expect(await addressCount(op.operatorId)).toBe(before);
    expect((await h.ok(ADD, { a: uniqueEmail("unlocked") }, op.token)).addEmailAddress.userErrors).toEqual([]);
    expect(await addressCount(op.operatorId)).toBe(before + 1);
  });
});

/**
 * Another connection holds what the operator's next write needs: the operator's row (PostgreSQL)
 * or the database's write lock (SQLite). Resolves once held; call the result to let go.
 */
async function holdWriteLock(operatorRowId: string): Promise<() => Promise<void>> {
  if (testEngine === "sqlite") {
    const file = h.app.target.file!;
    const other = new Database(file);
    other.prepare("BEGIN IMMEDIATE").run();
    return async () => {
      other.prepare("ROLLBACK").run();
      other.close();
    };
  }
  const { default: pg } = await import("pg");
  const client = new pg.Client({ connectionString: h.app.config.DATABASE_URL });
  await client.connect();
  await client.query("BEGIN");
  await client.query(`SELECT id FROM "Operator" WHERE id = $1 FOR UPDATE`, [operatorRowId]);
  return async () => {
    await client.query("ROLLBACK");
    await client.end();
  };
}
