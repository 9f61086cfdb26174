// Rate limiting with the real default limits (10 per IP and public mutation, 10
// failed sign-ins per account, 600 operations per signed-in client, per 60 s window). In-process
// requests name their client with X-Forwarded-For (SIMGATE_TRUST_PROXY=true here), so each test
// uses addresses of its own; the second instance below runs without it, over real HTTP.
import { afterAll, describe, expect, it } from "vitest";
import { ADMIN_SECRET, startHarness, type Harness } from "./support/harness.ts";
import { startServerProcess, type ServerProcess } from "./support/server-process.ts";
import { BatchedBudget, counterKey, RateLimitStore } from "../src/rate-limit-store.ts";
import { signUp, uniqueEmail, lastMail } from "./support/accounts.ts";
import { createLogger } from "../src/logger.ts";

const LIMITS = {
  SIMGATE_RATE_LIMIT_WINDOW_SECONDS: "60",
  SIMGATE_RATE_LIMIT_PER_IP: "10",
  SIMGATE_RATE_LIMIT_PER_ACCOUNT: "10",
  SIMGATE_RATE_LIMIT_PER_CLIENT: "600",
  SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP: "300",
  SIMGATE_RATE_LIMIT_FAILED_CREDENTIALS_PER_IP: "10",
};
/** Log lines at warn and above (failed credential attempts). */
const warnings: string[] = [];
const h: Harness = await startHarness({
  env: { ...LIMITS, SIMGATE_TRUST_PROXY: "true" },
  logger: createLogger("warn", { write: (line: string) => void warnings.push(line) }),
});

const children: ServerProcess[] = [];
// Registered after the harness, so it runs before the harness drops the database.
afterAll(async () => {
  await Promise.all(children.map((c) => c.stop()));
});

/** A second server process (`pnpm start`'s entry) on a database; stopped after the file. */
async function startSecondServer(databaseUrl: string, env: Record<string, string>): Promise<Client & { stop(): Promise<void> }> {
  const server = await startServerProcess(databaseUrl, env);
  children.push(server);
  return {
    raw: server.client.raw,
    // On SQLite a second process's background writes (scheduler, counters) can take the file's
    // write lock while this process's transaction wants it: later tests run without it.
    stop: async () => {
      children.splice(children.indexOf(server), 1);
      await server.stop();
    },
  };
}

const AUTHENTICATE = `mutation($input: AuthenticateInput!) { authenticate(input: $input) { token userErrors { code } } }`;
const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token userErrors { code } } }`;
const RECOVERY = `mutation($input: RequestAccountRecoveryInput!) { requestAccountRecovery(input: $input) { accepted userErrors { code } } }`;
const VERIFY = `mutation($input: VerifyEmailAddressInput!) { verifyEmailAddress(input: $input) { emailAddress { verified } userErrors { code } } }`;

let ipCounter = 0;
/** A client address no other test uses. */
const freshIp = () => `198.51.100.${++ipCounter}`;

type Client = Pick<Harness, "raw">;

async function call(client: Client, query: string, variables: Record<string, unknown>, headers: Record<string, string> = {}) {
  const response = await client.raw({ body: { query, variables }, headers });
  return { status: response.status, retryAfter: response.headers.get("retry-after"), body: (await response.json()) as any };
}
const from = (ip: string) => ({ "x-forwarded-for": ip });

function expectRateLimited(result: Awaited<ReturnType<typeof call>>) {
  expect(result.status).toBe(429);
  const seconds = Number(result.retryAfter);
  expect(seconds).toBeGreaterThanOrEqual(1);
  expect(seconds).toBeLessThanOrEqual(60);
  expect(result.body.data ?? null).toBeNull();
  expect(result.body.errors).toHaveLength(1);
  // The HTTP instructions stay out of the body; the seconds are the header's.
  expect(result.body.errors[0].extensions).toEqual({ code: "RATE_LIMITED", retryAfterSeconds: seconds });
}

async function auditCount(op: { token: string }, action: string): Promise<{ SUCCEEDED: number; REFUSED: number }> {
  const data = await h.ok(`query($a: String) { viewer { auditLog(first: 100, filter: { action: $a }) { edges { node { result } } } } }`, { a: action }, op.token);
  const counts = { SUCCEEDED: 0, REFUSED: 0 };
  for (const edge of data.viewer.auditLog.edges) counts[edge.node.result as "SUCCEEDED" | "REFUSED"] += 1;
  return counts;
}

describe("sign-in brute force", () => {
  it("the 11th wrong password within a minute is refused even with the right password: 429, Retry-After, nothing issued or audited; from any address; a minute later it works", async () => {
    const op = await signUp(h);
    const attacker = freshIp();
    for (let i = 0; i < 10; i += 1) {
      const wrong = await call(h, AUTHENTICATE, { input: { email: op.email, password: `wrong ${i}` } }, from(attacker));
      expect(wrong.status).toBe(200);
      expect(wrong.body.data.authenticate.userErrors).toEqual([{ code: "CREDENTIALS_INVALID" }]);
    }
    const right = await call(h, AUTHENTICATE, { input: { email: op.email, password: op.password } }, from(attacker));
    expectRateLimited(right);
    // The account's failures count whatever the address (a botnet gets no more tries), and the
    // email's case does not make it another account.
    expectRateLimited(await call(h, AUTHENTICATE, { input: { email: op.email.toUpperCase(), password: op.password } }, from(freshIp())));
    // Refused before execution: only the ten wrong attempts are in the audit log.
    expect(await auditCount(op, "authenticate")).toEqual({ SUCCEEDED: 0, REFUSED: 10 });

    h.clock.advance(61_000);
    const later = await call(h, AUTHENTICATE, { input: { email: op.email, password: op.password } }, from(attacker));
    expect(later.status).toBe(200);
    expect(later.body.data.authenticate.token).toEqual(expect.any(String));
    expect(await auditCount(op, "authenticate")).toEqual({ SUCCEEDED: 1, REFUSED: 10 });
    h.clock.reset();
  });

  it("right passwords give their attempt back: only failures count per account", async () => {
    const op = await signUp(h);
    // 15 good sign-ins from 15 addresses (the per-IP limit does not interfere).
    for (let i = 0; i < 15; i += 1) {
      const good = await call(h, AUTHENTICATE, { input: { email: op.email, password: op.password } }, from(freshIp()));
      expect(good.body.data.authenticate.token).toEqual(expect.any(String));
    }
    for (let i = 0; i < 10; i += 1) {
      const wrong = await call(h, AUTHENTICATE, { input: { email: op.email, password: "wrong" } }, from(freshIp()));
      expect(wrong.body.data.authenticate.userErrors).toEqual([{ code: "CREDENTIALS_INVALID" }]);
    }
    expectRateLimited(await call(h, AUTHENTICATE, { input: { email: op.email, password: op.password } }, from(freshIp())));
  });

  it("10 attempts per IP, whatever the accounts; aliases count one by one; other addresses unaffected", async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i += 1) {
      const attempt = await call(h, AUTHENTICATE, { input: { email: uniqueEmail("nobody"), password: "guess" } }, from(ip));
      expect(attempt.body.data.authenticate.userErrors).toEqual([{ code: "CREDENTIALS_INVALID" }]);
    }
    const op = await signUp(h);
    expectRateLimited(await call(h, AUTHENTICATE, { input: { email: op.email, password: op.password } }, from(ip)));
    // Eleven attempts in one document from a fresh address: refused as a whole, none verified.
    const batch = Array.from({ length: 11 }, (_, i) => `a${i}: authenticate(input: { email: "x${i}@example.com", password: "guess" }) { token }`).join(" ");
    expectRateLimited(await call(h, `mutation { ${batch} }`, {}, from(freshIp())));
    const elsewhere = await call(h, AUTHENTICATE, { input: { email: op.email, password: op.password } }, from(freshIp()));
    expect(elsewhere.body.data.authenticate.token).toEqual(expect.any(String));
  });
});

describe("U2: user sign-ins count like the root's", () => {
  it("U2: failed user sign-ins count per operator ID + user name (any case, any address) and per IP; a right password gives its attempt back", async () => {
    const op = await signUp(h, uniqueEmail("u2"));
    const created = await h.ok(`mutation($i: CreateUserInput!) { createUser(input: $i) { userErrors { code } } }`, { i: { name: "Mallory", password: "user password 1" } }, op.token);
    expect(created.createUser.userErrors).toEqual([]);
    const right = { operatorId: op.operatorId, userName: "Mallory", password: "user password 1" };
    expect((await call(h, AUTHENTICATE, { input: right }, from(freshIp()))).body.data.authenticate.token).toEqual(expect.any(String));
    for (let i = 0; i < 10; i += 1) {
      const wrong = await call(h, AUTHENTICATE, { input: { ...right, password: `wrong ${i}` } }, from(freshIp()));
      expect(wrong.body.data.authenticate.userErrors).toEqual([{ code: "CREDENTIALS_INVALID" }]);
    }
    expectRateLimited(await call(h, AUTHENTICATE, { input: right }, from(freshIp())));
    expectRateLimited(await call(h, AUTHENTICATE, { input: { ...right, operatorId: op.operatorId.toLowerCase(), userName: "mallory" } }, from(freshIp())));
    // Unknown users of one operator from one address: the per-IP budget of authenticate.
    const ip = freshIp();
    for (let i = 0; i < 10; i += 1) {
      const attempt = await call(h, AUTHENTICATE, { input: { operatorId: op.operatorId, userName: `nobody${i}`, password: "guess" } }, from(ip));
      expect(attempt.body.data.authenticate.userErrors).toEqual([{ code: "CREDENTIALS_INVALID" }]);
    }
    expectRateLimited(await call(h, AUTHENTICATE, { input: { email: op.email, password: op.password } }, from(ip)));
    h.clock.advance(61_000);
    expect((await call(h, AUTHENTICATE, { input: right }, from(freshIp()))).body.data.authenticate.token).toEqual(expect.any(String));
    h.clock.reset();
  });
});

describe("signUp, requestAccountRecovery and verifyEmailAddress are limited per IP", () => {
  it("signUp: the 11th from one address is refused and creates nothing (no operator, no mail)", async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i += 1) {
      const made = await call(h, SIGN_UP, { input: { email: uniqueEmail("spam"), password: "a long password", name: "Spam" } }, from(ip));
      expect(made.body.data.signUp.userErrors).toEqual([]);
    }
    const email = uniqueEmail("eleventh");
    expectRateLimited(await call(h, SIGN_UP, { input: { email, password: "a long password", name: "Spam" } }, from(ip)));
    expect(await lastMail(h, email, "EMAIL_VERIFICATION")).toBeUndefined();
    const signIn = await call(h, AUTHENTICATE, { input: { email, password: "a long password" } }, from(freshIp()));
    expect(signIn.body.data.authenticate.userErrors).toEqual([{ code: "CREDENTIALS_INVALID" }]);
    // The same address still has its own budget for the other mutations.
    expect((await call(h, RECOVERY, { input: { operatorId: "OP0000000000" } }, from(ip))).status).toBe(200);
  });

  it("signUp naming a taken address counts against the same per-IP budget: probing which addresses are taken stops at the 11th", async () => {
    const taken = await signUp(h);
    const ip = freshIp();
    for (let i = 0; i < 10; i += 1) {
      const probe = await call(h, SIGN_UP, { input: { email: taken.email, password: "a long password", name: "Probe" } }, from(ip));
      expect(probe.body.data.signUp.userErrors).toEqual([{ code: "EMAIL_PRIMARY_OF_OTHER_OPERATOR" }]);
    }
    expectRateLimited(await call(h, SIGN_UP, { input: { email: taken.email, password: "a long password", name: "Probe" } }, from(ip)));
    expectRateLimited(await call(h, SIGN_UP, { input: { email: uniqueEmail("after-probe"), password: "a long password", name: "Probe" } }, from(ip)));
  });

  it("a refusal is not stored under its Idempotency-Key: the retry after Retry-After runs", async () => {
    const ip = freshIp();
    for (let i = 0; i < 10; i += 1) {
      await call(h, SIGN_UP, { input: { email: uniqueEmail("spam"), password: "a long password", name: "Spam" } }, from(ip));
    }
    const input = { email: uniqueEmail("patient"), password: "a long password", name: "Patient" };
    const headers = { ...from(ip), "idempotency-key": `rate-limited-${ip}` };
    expectRateLimited(await call(h, SIGN_UP, { input }, headers));
    h.clock.advance(61_000);
    const retried = await h.raw({ body: { query: SIGN_UP, variables: { input } }, headers });
    expect(retried.headers.get("idempotent-replayed")).toBeNull();
    expect(((await retried.json()) as any).data.signUp).toMatchObject({ token: expect.any(String), userErrors: [] });
    h.clock.reset();
  });

  it("requestAccountRecovery: the 11th is refused and opens no ticket", async () => {
    const op = await signUp(h);
    const ip = freshIp();
    for (let i = 0; i < 10; i += 1) {
      const asked = await call(h, RECOVERY, { input: { primaryEmail: op.email } }, from(ip));
      expect(asked.body.data.requestAccountRecovery.accepted).toBe(true);
    }
    expectRateLimited(await call(h, RECOVERY, { input: { primaryEmail: op.email } }, from(ip)));
    await h.app.scheduler.runOnce();
    expect(await auditCount(op, "requestAccountRecovery")).toEqual({ SUCCEEDED: 10, REFUSED: 0 });
  });

  it("verifyEmailAddress: 10 guesses per address; the 11th is refused even with the right token, which still works elsewhere", async () => {
    const op = await signUp(h);
    const ip = freshIp();
    for (let i = 0; i < 10; i += 1) {
      const guess = await call(h, VERIFY, { input: { token: `sgv_guess_${i}` } }, from(ip));
      expect(guess.body.data.verifyEmailAddress.userErrors.length).toBe(1);
    }
    const mail = await lastMail(h, op.email, "EMAIL_VERIFICATION");
    expectRateLimited(await call(h, VERIFY, { input: { token: mail!.token } }, from(ip)));
    const primary = `{ viewer { primaryEmail { verified } } }`;
    expect((await h.ok(primary, {}, op.token)).viewer.primaryEmail.verified).toBe(false);
    const elsewhere = await call(h, VERIFY, { input: { token: mail!.token } }, from(freshIp()));
    expect(elsewhere.body.data.verifyEmailAddress.emailAddress.verified).toBe(true);
  });
});

describe("budget per signed-in client", () => {
  it("600 operations a minute per user or auth key, the 601st refused; other operators and the administrator unaffected; a new token buys nothing", async () => {
    const op = await signUp(h, uniqueEmail("busy"));
    const other = await signUp(h);
    const read = `{ viewer { operatorId } }`;
    // signUp itself is not an authenticated request: the budget starts with these.
    for (let batch = 0; batch < 600; batch += 50) {
      const results = await Promise.all(Array.from({ length: 50 }, () => h.gql(read, {}, op.token)));
      for (const r of results) expect(r.errors).toBeUndefined();
    }
    const over = await call(h, read, {}, { authorization: `Bearer ${op.token}` });
    expectRateLimited(over);
    // Signing in again (same identity, new token) does not reset the budget.
    const again = await call(h, AUTHENTICATE, { input: { email: op.email, password: op.password } }, from(freshIp()));
    expectRateLimited(await call(h, read, {}, { authorization: `Bearer ${again.body.data.authenticate.token}` }));
    expect((await h.gql(read, {}, other.token)).errors).toBeUndefined();
    expect((await h.gql(`{ adminOutbox(first: 1) { id } }`, {}, ADMIN_SECRET)).errors).toBeUndefined();
  });
});

describe("two instances on one database share the counters", () => {
  it("attempts on either count for both; over real HTTP the socket address is the client and X-Forwarded-For is ignored without SIMGATE_TRUST_PROXY", async () => {
    // A second server process (not a second app in this process: two Prisma clients on one SQLite
    // file in one process can deadlock), on the same database, proxy headers not trusted.
    const second = await startSecondServer(h.app.config.DATABASE_URL, { ...LIMITS, SIMGATE_TRUST_PROXY: "false" });
    const op = await signUp(h);
    for (let i = 0; i < 10; i += 1) {
      const instance: Client = i % 2 === 0 ? h : second;
      // Each request claims another address: the second instance does not believe it.
      const wrong = await call(instance, AUTHENTICATE, { input: { email: op.email, password: "wrong" } }, from(freshIp()));
      expect(wrong.body.data.authenticate.userErrors).toEqual([{ code: "CREDENTIALS_INVALID" }]);
    }
    expectRateLimited(await call(second, AUTHENTICATE, { input: { email: op.email, password: op.password } }));
    expectRateLimited(await call(h, AUTHENTICATE, { input: { email: op.email, password: op.password } }, from(freshIp())));

    // Per IP on the second instance: all from 127.0.0.1, the spoofed addresses change nothing.
    for (let i = 0; i < 10; i += 1) {
      const asked = await call(second, RECOVERY, { input: { operatorId: "OP0000000000" } }, from(freshIp()));
      expect(asked.status).toBe(200);
    }
    expectRateLimited(await call(second, RECOVERY, { input: { operatorId: "OP0000000000" } }, from(freshIp())));
    await second.stop();
  });
});

describe("per-client budget: batched writes to the shared counter", () => {
  it("each instance adds its hits to the shared counter at each sync; the first hit of a window always syncs", async () => {
    const store = new RateLimitStore(h.app.db, h.clock);
    const key = counterKey("client", `batched-${Math.random()}`);
    // Sync on every hit: two instances see each other's hits exactly.
    const a = new BatchedBudget(store, h.clock, 0);
    const b = new BatchedBudget(store, h.clock, 0);
    for (let i = 1; i <= 3; i++) expect((await a.hit(key, 60_000)).points).toBe(i);
    expect((await b.hit(key, 60_000)).points).toBe(4);
    expect((await a.hit(key, 60_000)).points).toBe(5);

    // A long sync interval: an instance counts its own hits locally, the shared row only at syncs.
    const other = counterKey("client", `batched-${Math.random()}`);
    const slow = new BatchedBudget(store, h.clock, 3_600_000);
    for (let i = 1; i <= 10; i++) expect((await slow.hit(other, 60_000)).points).toBe(i);
    const row = await h.app.db.rateLimitCounter.findUniqueOrThrow({ where: { key: other } });
    expect(row.points).toBe(1);
    expect((await new BatchedBudget(store, h.clock, 0).hit(other, 60_000)).points).toBe(2);
  });

  it("concurrent first hits of a window that answer out of order leave the instance counting all of them; hits during a sync count the points it carries", async () => {
    // The store counts each hit at once, but the answers reach the budget last-counted-first.
    const released: Array<() => void> = [];
    class ReversedAnswers extends RateLimitStore {
      override async hit(key: string, windowMs: number, points = 1) {
        const counted = await super.hit(key, windowMs, points);
        await new Promise<void>((resolve) => released.push(resolve));
        return counted;
      }
    }
    const store = new ReversedAnswers(h.app.db, h.clock);
    const key = counterKey("client", `reversed-${Math.random()}`);
    const budget = new BatchedBudget(store, h.clock, 3_600_000);
    const first = Array.from({ length: 20 }, () => budget.hit(key, 60_000));
    while (released.length < 20) await new Promise((resolve) => setTimeout(resolve, 5));
    for (const release of released.splice(0).reverse()) release();
    expect((await Promise.all(first)).map((r) => r.points).sort((a, b) => a - b)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
    expect((await budget.hit(key, 60_000)).points).toBe(21);

    // A sync on its way: a hit arriving meanwhile counts the points it carries.
    const syncing = new BatchedBudget(store, h.clock, 0);
    const opened = syncing.hit(key, 60_000);
    while (released.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    released.shift()!();
    // The first budget's 21st hit is still only in its memory: the store holds 20.
    expect((await opened).points).toBe(21);
    const carrying = syncing.hit(key, 60_000);
    while (released.length < 1) await new Promise((resolve) => setTimeout(resolve, 5));
    // Answered from memory while the sync waits: 21 read, 1 on its way, then 1 and 2 since.
    expect((await syncing.hit(key, 60_000)).points).toBe(23);
    expect((await syncing.hit(key, 60_000)).points).toBe(24);
    released.shift()!();
    expect((await carrying).points).toBe(24);
  });
});

/** An operator signed up from an address of its own (the fixture's address has used its 10 sign-ups). */
async function signUpFromOwnAddress(): Promise<{ email: string; password: string; token: string }> {
  const email = uniqueEmail("limited");
  const password = "correct horse battery";
  const result = await call(h, SIGN_UP, { input: { email, password, name: "Limited" } }, from(freshIp()));
  expect(result.body.data?.signUp.userErrors, JSON.stringify(result.body.errors)).toEqual([]);
  return { email, password, token: result.body.data.signUp.token };
}

describe("limits decide on the arguments as executed", () => {
  const json = (value: string) => JSON.stringify(value);
  /** One wrong-password authenticate for `email`, written each way a document can say it; none sends `variables` unless it has to. */
  const SHAPES: Record<string, (email: string) => { query: string; variables?: Record<string, unknown> }> = {
    "inline literal": (e) => ({ query: `mutation { authenticate(input: { email: ${json(e)}, password: "wrong" }) { token } }` }),
    variable: (e) => ({ query: `mutation($e: String!) { authenticate(input: { email: $e, password: "wrong" }) { token } }`, variables: { e } }),
    "variable default": (e) => ({ query: `mutation($e: String = ${json(e)}, $p: String = "wrong") { authenticate(input: { email: $e, password: $p }) { token } }` }),
    "input-object default": (e) => ({ query: `mutation($in: AuthenticateInput = { email: ${json(e)}, password: "wrong" }) { authenticate(input: $in) { token } }` }),
    alias: (e) => ({ query: `mutation { guess: authenticate(input: { email: ${json(e)}, password: "wrong" }) { token } }` }),
    "named fragment": (e) => ({ query: `mutation { ...Guess } fragment Guess on Mutation { authenticate(input: { email: ${json(e)}, password: "wrong" }) { token } }` }),
    "inline fragment": (e) => ({ query: `mutation { ... on Mutation { authenticate(input: { email: ${json(e)}, password: "wrong" }) { token } } }` }),
  };

  for (const [shape, write] of Object.entries(SHAPES)) {
    it(`an authenticate written as ${shape} counts against the account: after 10, the right password is refused`, async () => {
      const op = await signUpFromOwnAddress();
      for (let i = 0; i < 10; i += 1) {
        const { query, variables } = write(op.email);
        const response = await h.raw({ body: variables ? { query, variables } : { query }, headers: from(freshIp()) });
        expect(response.status).toBe(200);
        expect(((await response.json()) as any).data).toEqual({ [shape === "alias" ? "guess" : "authenticate"]: { token: null } });
      }
      expectRateLimited(await call(h, AUTHENTICATE, { input: { email: op.email, password: op.password } }, from(freshIp())));
    });
  }

  it("O3: root-password re-entries on createAuthKey count per operator: after 10 wrong ones the right one is refused, from any address", async () => {
    const op = await signUpFromOwnAddress();
    const CREATE = `mutation($p: String = "wrong password") { createAuthKey(input: { password: $p }) { authKeyId userErrors { code } } }`;
    for (let i = 0; i < 10; i += 1) {
      const wrong = await call(h, CREATE, {}, { ...from(freshIp()), authorization: `Bearer ${op.token}` });
      expect(wrong.body.data.createAuthKey.userErrors).toEqual([{ code: "CREDENTIALS_INVALID" }]);
    }
    expectRateLimited(await call(h, CREATE, { p: op.password }, { ...from(freshIp()), authorization: `Bearer ${op.token}` }));
    // Without a password the fresh sign-in still suffices: only guesses are limited.
    expect((await call(h, `mutation { createAuthKey { userErrors { code } } }`, {}, { authorization: `Bearer ${op.token}` })).body.data.createAuthKey.userErrors).toEqual([]);
  });
});

describe("O5: failed credential attempts per address", () => {
  const OUTBOX = `{ adminOutbox(first: 1) { id } }`;
  const bearer = (secret: string) => ({ authorization: `Bearer ${secret}` });

  it("a bearer that is neither a live token nor the admin secret: 10 per address a minute, then 429 with Retry-After, the right admin secret too; live tokens and other addresses unaffected; each attempt logged at warn without the bearer", async () => {
    const op = await signUpFromOwnAddress();
    const attacker = freshIp();
    const guess = (i: number) => `guess-${i}-of-the-admin-secret-0123456789`;
    warnings.length = 0;
    for (let i = 0; i < 10; i += 1) {
      const refused = await call(h, OUTBOX, {}, { ...from(attacker), ...bearer(guess(i)) });
      expect(refused.status).toBe(200);
      expect(refused.body.errors[0].extensions.code).toBe("FORBIDDEN");
    }
    expectRateLimited(await call(h, OUTBOX, {}, { ...from(attacker), ...bearer(guess(10)) }));
    // Once over the limit the answer no longer tells a right guess from a wrong one.
    expectRateLimited(await call(h, OUTBOX, {}, { ...from(attacker), ...bearer(ADMIN_SECRET) }));
    expectRateLimited(await call(h, OUTBOX, {}, { ...from(attacker), ...bearer("sgt_revoked-or-forged-token") }));
    const viewer = await call(h, `{ viewer { operatorId } }`, {}, { ...from(attacker), ...bearer(op.token) });
    expect(viewer.body.data.viewer.operatorId).toMatch(/^OP\d{10}$/);
    expect((await call(h, OUTBOX, {}, { ...from(freshIp()), ...bearer(ADMIN_SECRET) })).body.errors).toBeUndefined();

    const attempts = warnings.map((line) => JSON.parse(line)).filter((entry) => entry.ip === attacker);
    expect(attempts.length).toBe(13);
    expect(attempts.every((entry) => entry.level === 40)).toBe(true);
    expect(attempts.slice(0, 10).map((entry) => entry.failures)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    const logged = warnings.join("\n");
    expect(logged).not.toContain("guess-");
    expect(logged).not.toContain(ADMIN_SECRET);
  });
});

describe("anonymous callers: a budget per address for every operation", () => {
  it("300 root fields a minute per address without a valid bearer, queries and introspection included; then 429; signed-in callers and other addresses unaffected", async () => {
    const op = await signUpFromOwnAddress();
    const ip = freshIp();
    const fifteen = `{ ${Array.from({ length: 15 }, (_, i) => `f${i}: __typename`).join(" ")} }`;
    for (let i = 0; i < 20; i += 1) expect((await call(h, fifteen, {}, from(ip))).status).toBe(200);
    expectRateLimited(await call(h, `{ __schema { queryType { name } } }`, {}, from(ip)));
    expectRateLimited(await call(h, `{ viewer { id } }`, {}, from(ip)));
    expect((await call(h, `{ viewer { operatorId } }`, {}, { ...from(ip), authorization: `Bearer ${op.token}` })).body.data.viewer.operatorId).toMatch(/^OP\d{10}$/);
    expect((await call(h, `{ __schema { queryType { name } } }`, {}, from(freshIp()))).status).toBe(200);
  });
});
