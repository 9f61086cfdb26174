// O1–O3: sign-up, sign-in, tokens, auth keys — through the GraphQL endpoint.
import { describe, expect, it } from "vitest";
import { signUp, lastMail, uniqueEmail } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";

const h = await startHarness();

const AUTH = `mutation($input: AuthenticateInput!) {
  authenticate(input: $input) { token expiresAt operator { operatorId } userErrors { code message field } } }`;
const VIEWER = `{ viewer { operatorId name primaryEmail { address } } }`;

describe("O1/O2 sign-up", () => {
  it("O1: creates an operator with an OP + 10 digit ID, its name and the primary address", async () => {
    const email = uniqueEmail("signup");
    const op = await signUp(h, email);
    expect(op.operatorId).toMatch(/^OP\d{10}$/);
    const data = await h.ok(VIEWER, {}, op.token);
    expect(data.viewer).toEqual({ operatorId: op.operatorId, name: "Test Operator", primaryEmail: { address: email } });
  });

  it("O2: mails a verification token to the new primary address", async () => {
    const email = uniqueEmail("o2");
    await signUp(h, email);
    const mail = await lastMail(h, email, "EMAIL_VERIFICATION");
    expect(mail?.to).toEqual([email]);
    expect(mail?.token).toMatch(/^sgv_/);
    expect(mail?.body).toContain(mail!.token);
  });

  it("O2/E4: an address that is already an operator's primary cannot sign up again (any case)", async () => {
    const email = uniqueEmail("dup");
    await signUp(h, email);
    const data = await h.ok(`mutation($i: SignUpInput!) { signUp(input: $i) { operator { id } token userErrors { code field } } }`, {
      i: { email: email.toUpperCase(), password: "another password", name: "Copy" },
    });
    expect(data.signUp).toEqual({ operator: null, token: null, userErrors: [{ code: "EMAIL_PRIMARY_OF_OTHER_OPERATOR", field: ["input", "email"] }] });
  });

  it("O2: refuses malformed input field by field", async () => {
    const data = await h.ok(`mutation($i: SignUpInput!) { signUp(input: $i) { operator { id } userErrors { code field } } }`, {
      i: { email: "not-an-email", password: "short", name: " " },
    });
    expect(data.signUp.userErrors).toEqual([
      { code: "EMAIL_INVALID", field: ["input", "email"] },
      { code: "INVALID_INPUT", field: ["input", "password"] },
      { code: "INVALID_INPUT", field: ["input", "name"] },
    ]);
  });

  it("O3: the password is stored only as an Argon2id hash", async () => {
    const op = await signUp(h, uniqueEmail("hash"), "a very secret password");
    const row = await h.app.db.operator.findUniqueOrThrow({ where: { operatorId: op.operatorId } });
    expect(row.passwordHash).toMatch(/^\$argon2id\$/);
    expect(row.passwordHash).not.toContain("a very secret password");
  });
});

describe("O3 authentication", () => {
  it("O3: email + password gives a working bearer token that expires 24 h after sign-in by default, to the millisecond", async () => {
    const op = await signUp(h);
    const signedInAt = h.clock.now().getTime();
    h.clock.freeze(new Date(signedInAt));
    try {
      const data = await h.ok(AUTH, { input: { email: op.email, password: op.password } });
      expect(data.authenticate.userErrors).toEqual([]);
      expect(data.authenticate.token).toMatch(/^sgt_/);
      expect(data.authenticate.expiresAt).toBe(new Date(signedInAt + 86_400_000).toISOString());
      expect((await h.ok(VIEWER, {}, data.authenticate.token)).viewer.operatorId).toBe(op.operatorId);
      h.clock.freeze(new Date(signedInAt + 86_400_000 - 1));
      expect((await h.ok(VIEWER, {}, data.authenticate.token)).viewer.operatorId).toBe(op.operatorId);
      h.clock.freeze(new Date(signedInAt + 86_400_000));
      expect((await h.ok(VIEWER, {}, data.authenticate.token)).viewer).toBeNull();
    } finally {
      h.clock.reset();
    }
  });

  it("O3: tokens are stored only as digests", async () => {
    const op = await signUp(h);
    const sessions = await h.app.db.session.findMany();
    expect(sessions.length).toBeGreaterThan(0);
    expect(JSON.stringify(sessions)).not.toContain(op.token);
  });

  it("O3: a wrong password and an unknown address get the same CREDENTIALS_INVALID", async () => {
    const op = await signUp(h);
    const wrong = await h.ok(AUTH, { input: { email: op.email, password: "not the password" } });
    const unknown = await h.ok(AUTH, { input: { email: uniqueEmail("nobody"), password: "whatever password" } });
    expect(wrong.authenticate).toEqual(unknown.authenticate);
    expect(wrong.authenticate).toEqual({ token: null, expiresAt: null, operator: null, userErrors: [{ code: "CREDENTIALS_INVALID", message: expect.any(String), field: ["input"] }] });
  });

  it("O3: tokenTimeoutSeconds sets the lifetime, at most 172800", async () => {
    const op = await signUp(h);
    const at = h.clock.now().getTime();
    h.clock.freeze(new Date(at));
    try {
      const short = await h.ok(AUTH, { input: { email: op.email, password: op.password, tokenTimeoutSeconds: 600 } });
      expect(short.authenticate.expiresAt).toBe(new Date(at + 600_000).toISOString());
      const max = await h.ok(AUTH, { input: { email: op.email, password: op.password, tokenTimeoutSeconds: 172_800 } });
      expect(max.authenticate).toMatchObject({ expiresAt: new Date(at + 172_800_000).toISOString(), userErrors: [] });
    } finally {
      h.clock.reset();
    }
    for (const bad of [0, -5, 172_801]) {
      const refused = await h.ok(AUTH, { input: { email: op.email, password: op.password, tokenTimeoutSeconds: bad } });
      expect(refused.authenticate.userErrors.map((e: { code: string }) => e.code)).toEqual(["INVALID_INPUT"]);
      expect(refused.authenticate.token).toBeNull();
    }
  });

  it("O3: an expired token no longer works", async () => {
    const op = await signUp(h);
    const data = await h.ok(AUTH, { input: { email: op.email, password: op.password, tokenTimeoutSeconds: 60 } });
    const token = data.authenticate.token;
    expect((await h.ok(VIEWER, {}, token)).viewer).not.toBeNull();
    h.clock.advance(61_000);
    try {
      expect((await h.ok(VIEWER, {}, token)).viewer).toBeNull();
    } finally {
      h.clock.reset();
    }
  });

  it("O3: logout revokes the token used for the call, and only that one", async () => {
    const op = await signUp(h);
    const other = (await h.ok(AUTH, { input: { email: op.email, password: op.password } })).authenticate.token;
    const out = await h.ok(`mutation { logout { userErrors { code } } }`, {}, op.token);
    expect(out.logout.userErrors).toEqual([]);
    expect((await h.ok(VIEWER, {}, op.token)).viewer).toBeNull();
    expect((await h.ok(VIEWER, {}, other)).viewer).not.toBeNull();
  });

  it("O3: both or neither credential kinds are refused as INVALID_INPUT", async () => {
    const both = await h.ok(AUTH, { input: { email: "a@example.com", password: "x", authKeyId: "k", authKey: "s" } });
    const neither = await h.ok(AUTH, { input: {} });
    expect(both.authenticate.userErrors[0].code).toBe("INVALID_INPUT");
    expect(neither.authenticate.userErrors[0].code).toBe("INVALID_INPUT");
  });
});

describe("O3 auth keys", () => {
  const CREATE = `mutation { createAuthKey { authKeyId authKey userErrors { code } } }`;

  it("O3: an auth key signs in; its secret is shown once and stored hashed", async () => {
    const op = await signUp(h);
    const created = (await h.ok(CREATE, {}, op.token)).createAuthKey;
    expect(created.authKeyId).toMatch(/^keyId-/);
    const row = await h.app.db.authKey.findUniqueOrThrow({ where: { authKeyId: created.authKeyId } });
    expect(row.secretHash).toMatch(/^\$argon2id\$/);
    expect(row.secretHash).not.toContain(created.authKey);

    const auth = await h.ok(AUTH, { input: { authKeyId: created.authKeyId, authKey: created.authKey } });
    expect(auth.authenticate.operator.operatorId).toBe(op.operatorId);
    const keys = await h.ok(`{ viewer { authKeys { authKeyId lastUsedAt } } }`, {}, op.token);
    expect(keys.viewer.authKeys).toEqual([{ authKeyId: created.authKeyId, lastUsedAt: expect.any(String) }]);
    expect(JSON.stringify(keys)).not.toContain(created.authKey);
  });

  it("O3: a wrong secret is CREDENTIALS_INVALID", async () => {
    const op = await signUp(h);
    const created = (await h.ok(CREATE, {}, op.token)).createAuthKey;
    const auth = await h.ok(AUTH, { input: { authKeyId: created.authKeyId, authKey: "secret-wrong" } });
    expect(auth.authenticate.userErrors[0].code).toBe("CREDENTIALS_INVALID");
  });

  it("O3: deleting a key revokes it and the tokens it signed in with", async () => {
    const op = await signUp(h);
    const created = (await h.ok(CREATE, {}, op.token)).createAuthKey;
    const keyToken = (await h.ok(AUTH, { input: { authKeyId: created.authKeyId, authKey: created.authKey } })).authenticate.token;
    const del = await h.ok(`mutation($i: DeleteAuthKeyInput!) { deleteAuthKey(input: $i) { userErrors { code } } }`, { i: { authKeyId: created.authKeyId } }, op.token);
    expect(del.deleteAuthKey.userErrors).toEqual([]);
    expect((await h.ok(VIEWER, {}, keyToken)).viewer).toBeNull();
    const again = await h.ok(AUTH, { input: { authKeyId: created.authKeyId, authKey: created.authKey } });
    expect(again.authenticate.userErrors[0].code).toBe("CREDENTIALS_INVALID");
    const twice = await h.ok(`mutation($i: DeleteAuthKeyInput!) { deleteAuthKey(input: $i) { userErrors { code } } }`, { i: { authKeyId: created.authKeyId } }, op.token);
    expect(twice.deleteAuthKey.userErrors).toEqual([{ code: "NOT_FOUND" }]);
  });

  it("O6, U10: the audit log names the auth key as the actor of what it did (authKey:<id>)", async () => {
    const op = await signUp(h);
    const created = (await h.ok(CREATE, {}, op.token)).createAuthKey;
    const keyToken = (await h.ok(AUTH, { input: { authKeyId: created.authKeyId, authKey: created.authKey } })).authenticate.token;
    await h.ok(`mutation { createAuthKey { userErrors { code } } }`, {}, keyToken);
    const log = await h.ok(`{ viewer { auditLog(first: 1) { edges { node { action actor } } } } }`, {}, op.token);
    expect(log.viewer.auditLog.edges[0].node).toEqual({ action: "createAuthKey", actor: `authKey:${created.authKeyId}` });
  });
});

describe("authentication errors", () => {
  it("operator-scoped fields without a token fail with UNAUTHENTICATED; viewer is null", async () => {
    const res = await h.gql(`{ viewer { id } }`);
    expect([res.data, res.errors]).toEqual([{ viewer: null }, undefined]);
    for (const doc of [`mutation { createAuthKey { authKeyId } }`, `mutation { logout { userErrors { code } } }`, `{ sim(imsi: "001010000000001") { id } }`]) {
      const r = await h.gql(doc);
      expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
  });

  it("a malformed or unknown bearer token counts as no authentication", async () => {
    for (const token of ["garbage", "sgt_unknownunknownunknown", "x".repeat(5000)]) {
      const r = await h.gql(`mutation { createAuthKey { authKeyId } }`, {}, token);
      expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
    }
  });
});

describe("sign-in payloads", () => {
  it("the operator in signUp and authenticate payloads resolves every field, also without a prior token", async () => {
    const FIELDS = `operator { operatorId primaryEmail { address } recoveryEmail { address } emailAddresses { address } authKeys { authKeyId } }`;
    const email = uniqueEmail("payload");
    const up = await h.gql(`mutation($i: SignUpInput!) { signUp(input: $i) { ${FIELDS} userErrors { code } } }`, { i: { email, password: "long enough pw", name: "P" } });
    expect(up.errors).toBeUndefined();
    expect(up.data.signUp.operator).toMatchObject({ primaryEmail: { address: email }, recoveryEmail: null });
    const other = await signUp(h);
    const auth = await h.gql(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { ${FIELDS} userErrors { code } } }`, { i: { email, password: "long enough pw" } }, other.token);
    expect(auth.errors).toBeUndefined();
    expect(auth.data.authenticate.operator).toMatchObject({ primaryEmail: { address: email }, emailAddresses: [{ address: email }] });
  });
});

describe("the caller is fixed for the whole request (O3, O4)", () => {
  const SIGN_IN_AND_ADD = `mutation($email: String!, $password: String!, $address: String!) {
    a: authenticate(input: { email: $email, password: $password }) { token operator { operatorId primaryEmail { address } } userErrors { code } }
    b: addEmailAddress(input: { address: $address }) { emailAddress { address } userErrors { code } }
  }`;

  it("an anonymous caller that signs in inside a multi-field mutation stays anonymous: the next field is UNAUTHENTICATED, no server error", async () => {
    const op = await signUp(h);
    const address = uniqueEmail("after-sign-in");
    const response = await h.raw({ body: { query: SIGN_IN_AND_ADD, variables: { email: op.email, password: op.password, address } } });
    expect(response.status).toBe(200);
    const body = (await response.json()) as { data: unknown; errors?: { path?: string[]; extensions?: { code?: string } }[] };
    // Every mutation field of the contract is non-null, so GraphQL nulls all of `data` for b's error.
    expect(body.errors?.map((e) => [e.path, e.extensions?.code])).toEqual([[["b"], "UNAUTHENTICATED"]]);
    const log = await h.ok(`{ viewer { auditLog(first: 1) { edges { node { action result } } } emailAddresses { address } } }`, {}, op.token);
    expect(log.viewer.auditLog.edges[0].node).toEqual({ action: "authenticate", result: "SUCCEEDED" });
    expect(log.viewer.emailAddresses).toEqual([{ address: op.email }]);
  });

  it("signing in as another operator inside a document leaves the caller as it was: the next field acts for the caller (O4)", async () => {
    const caller = await signUp(h);
    const other = await signUp(h);
    const address = uniqueEmail("callers");
    const data = await h.ok(SIGN_IN_AND_ADD, { email: other.email, password: other.password, address }, caller.token);
    expect(data.a.operator.operatorId).toBe(other.operatorId);
    expect(data.b).toEqual({ emailAddress: { address }, userErrors: [] });
    const mine = await h.ok(`{ viewer { emailAddresses { address } } }`, {}, caller.token);
    const theirs = await h.ok(`{ viewer { emailAddresses { address } } }`, {}, other.token);
    expect(mine.viewer.emailAddresses.map((e: { address: string }) => e.address)).toEqual([caller.email, address]);
    expect(theirs.viewer.emailAddresses).toEqual([{ address: other.email }]);
  });

  it("signUp inside a multi-field mutation returns the new operator and token; the next field still acts for the caller", async () => {
    const caller = await signUp(h);
    const email = uniqueEmail("multi-signup");
    const data = await h.ok(
      `mutation($i: SignUpInput!) { a: signUp(input: $i) { token operator { operatorId primaryEmail { address } recoveryEmail { address } } userErrors { code } } b: createAuthKey { authKeyId userErrors { code } } }`,
      { i: { email, password: "long enough pw", name: "Multi" } },
      caller.token,
    );
    expect(data.a).toMatchObject({ token: expect.stringMatching(/^sgt_/), operator: { primaryEmail: { address: email }, recoveryEmail: null }, userErrors: [] });
    expect(data.b.userErrors).toEqual([]);
    const callers = await h.ok(`{ viewer { authKeys { authKeyId } } }`, {}, caller.token);
    const created = await h.ok(`{ viewer { authKeys { authKeyId } } }`, {}, data.a.token);
    expect(callers.viewer.authKeys).toEqual([{ authKeyId: data.b.authKeyId }]);
    expect(created.viewer.authKeys).toEqual([]);
  });
});

describe("O3: creating an auth key needs the root password or a fresh password sign-in", () => {
  const CREATE = `mutation($i: CreateAuthKeyInput) { createAuthKey(input: $i) { authKeyId authKey userErrors { code field } } }`;
  const keyCount = async (op: { token: string }) => (await h.ok(`{ viewer { authKeys { authKeyId } } }`, {}, op.token)).viewer.authKeys.length as number;

  it("a token from an auth key cannot mint another key without the root password (CREDENTIALS_INVALID); with the password it can", async () => {
    const op = await signUp(h);
    const first = (await h.ok(CREATE, {}, op.token)).createAuthKey;
    expect(first.userErrors).toEqual([]);
    const keyToken = (await h.ok(AUTH, { input: { authKeyId: first.authKeyId, authKey: first.authKey } })).authenticate.token;
    const refused = (await h.ok(CREATE, {}, keyToken)).createAuthKey;
    expect(refused).toEqual({ authKeyId: null, authKey: null, userErrors: [{ code: "CREDENTIALS_INVALID", field: ["input", "password"] }] });
    const wrong = (await h.ok(CREATE, { i: { password: "not the password" } }, keyToken)).createAuthKey;
    expect(wrong.userErrors).toEqual([{ code: "CREDENTIALS_INVALID", field: ["input", "password"] }]);
    expect(await keyCount(op)).toBe(1);
    const confirmed = (await h.ok(CREATE, { i: { password: op.password } }, keyToken)).createAuthKey;
    expect(confirmed.userErrors).toEqual([]);
    expect(await keyCount(op)).toBe(2);
  });

  it("a password token is enough for 5 minutes after sign-in; later the password must be re-entered", async () => {
    const op = await signUp(h);
    const signedIn = (await h.ok(AUTH, { input: { email: op.email, password: op.password } })).authenticate.token as string;
    try {
      h.clock.advance(4 * 60_000);
      expect((await h.ok(CREATE, {}, signedIn)).createAuthKey.userErrors).toEqual([]);
      h.clock.advance(2 * 60_000);
      for (const token of [signedIn, op.token]) {
        expect((await h.ok(CREATE, {}, token)).createAuthKey.userErrors).toEqual([{ code: "CREDENTIALS_INVALID", field: ["input", "password"] }]);
      }
      expect(await keyCount(op)).toBe(1);
      expect((await h.ok(CREATE, { i: { password: op.password } }, signedIn)).createAuthKey.userErrors).toEqual([]);
      expect(await keyCount(op)).toBe(2);
    } finally {
      h.clock.reset();
    }
  });
});
