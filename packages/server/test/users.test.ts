// U1–U10: users, their sign-in, keys and permissions, through the GraphQL endpoint on both engines.
// In-process requests name their client with X-Forwarded-For (SIMGATE_TRUST_PROXY=true), the
// address the rate limits and the auth-key CIDR blocks both judge.
import { describe, expect, it } from "vitest";
import { signUp, type TestOperator } from "./support/accounts.ts";
import { sendCounted, startHarness } from "./support/harness.ts";
import { ownSims } from "./support/sims.ts";

const h = await startHarness({ env: { SIMGATE_TRUST_PROXY: "true" } });

const CREATE_USER = `mutation($i: CreateUserInput!) { createUser(input: $i) { user { id name description hasPassword permissions { effect actions resources } } userErrors { code field } } }`;
const UPDATE_USER = `mutation($i: UpdateUserInput!) { updateUser(input: $i) { user { id description hasPassword } userErrors { code field } } }`;
const SET_PERMISSIONS = `mutation($i: SetUserPermissionsInput!) { setUserPermissions(input: $i) { user { id permissions { effect actions resources } } userErrors { code field } } }`;
const DELETE_USER = `mutation($i: DeleteUserInput!) { deleteUser(input: $i) { deletedUserId userErrors { code field } } }`;
const AUTH = `mutation($i: AuthenticateInput!) { authenticate(input: $i) { token expiresAt operator { operatorId } userErrors { code message field } } }`;
const CREATE_KEY = `mutation($i: CreateAuthKeyInput) { createAuthKey(input: $i) { authKeyId authKey userErrors { code field } } }`;
const WHOAMI = `{ whoami { kind operatorId authKeyId user { id name permissions { effect actions resources } } } }`;
const EXPLAIN = `query($u: ID!, $a: String!, $r: ID) { explainAccess(userId: $u, action: $a, resourceId: $r) { allowed decidingStatement explanation } }`;
const AUDIT = `query($a: String) { viewer { auditLog(first: 20, filter: { action: $a }) { edges { node { action actor result errorCodes targetIds } } } } }`;

const PASSWORD = "user password 123";
const from = (ip: string) => ({ "x-forwarded-for": ip });

async function createUser(op: TestOperator, name: string, extra: Record<string, unknown> = {}) {
  const data = await h.ok(CREATE_USER, { i: { name, password: PASSWORD, ...extra } }, op.token);
  expect(data.createUser.userErrors).toEqual([]);
  return data.createUser.user as { id: string; name: string };
}

async function signInUser(op: TestOperator, userName: string, password = PASSWORD) {
  const data = await h.ok(AUTH, { i: { operatorId: op.operatorId, userName, password } });
  expect(data.authenticate.userErrors).toEqual([]);
  return data.authenticate.token as string;
}

async function auditOf(op: TestOperator, action: string) {
  const data = await h.ok(AUDIT, { a: action }, op.token);
  return data.viewer.auditLog.edges.map((e: any) => e.node) as { action: string; actor: string; result: string; errorCodes: string[]; targetIds: string[] }[];
}

/** A request's body as sent over HTTP with a bearer and extra headers. */
async function send(query: string, variables: Record<string, unknown>, token: string | null, headers: Record<string, string> = {}) {
  const response = await h.raw({ body: { query, variables }, headers: { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers } });
  return (await response.json()) as { data?: any; errors?: { message: string; extensions?: Record<string, unknown> }[] };
}

describe("U1 users", () => {
  it("U1: the root creates a user with a description, a password and statements; whoami names root and user", async () => {
    const op = await signUp(h);
    const data = await h.ok(CREATE_USER, { i: { name: "ops.team-1_A", description: "on call", password: PASSWORD, permissions: [{ effect: "ALLOW", actions: ["Sim:read"] }] } }, op.token);
    expect(data.createUser).toMatchObject({
      user: { name: "ops.team-1_A", description: "on call", hasPassword: true, permissions: [{ effect: "ALLOW", actions: ["Sim:read"], resources: ["*"] }] },
      userErrors: [],
    });
    expect((await h.ok(WHOAMI, {}, op.token)).whoami).toEqual({ kind: "ROOT", operatorId: op.operatorId, authKeyId: null, user: null });
    const token = await signInUser(op, "ops.team-1_A");
    expect((await h.ok(WHOAMI, {}, token)).whoami).toMatchObject({ kind: "USER", operatorId: op.operatorId, authKeyId: null, user: { id: data.createUser.user.id, name: "ops.team-1_A" } });
    expect((await h.ok(WHOAMI, {})).whoami).toBeNull();
    const users = await h.ok(`{ viewer { users(first: 10) { totalCount edges { node { name hasPassword } } } } }`, {}, op.token);
    expect(users.viewer.users).toEqual({ totalCount: 1, edges: [{ node: { name: "ops.team-1_A", hasPassword: true } }] });
  });

  it("U1: a name outside 1–100 of A–Z a–z 0–9 . _ - is USER_NAME_INVALID; 100 characters are fine", async () => {
    const op = await signUp(h);
    for (const name of ["", "two words", "x".repeat(101), "名前", "a/b", "tab\t"]) {
      const data = await h.ok(CREATE_USER, { i: { name } }, op.token);
      expect(data.createUser, name).toEqual({ user: null, userErrors: [{ code: "USER_NAME_INVALID", field: ["input", "name"] }] });
    }
    await createUser(op, "y".repeat(100));
  });

  it("U1: a name is unique in its operator (USER_NAME_TAKEN) and free in another", async () => {
    const [a, b] = [await signUp(h), await signUp(h)];
    await createUser(a, "alice");
    const again = await h.ok(CREATE_USER, { i: { name: "alice" } }, a.token);
    expect(again.createUser).toEqual({ user: null, userErrors: [{ code: "USER_NAME_TAKEN", field: ["input", "name"] }] });
    await createUser(b, "alice");
  });

  it("U1: concurrent creations of one name: exactly one wins, the others are USER_NAME_TAKEN", async () => {
    const op = await signUp(h);
    const results = await Promise.all(Array.from({ length: 6 }, () => h.ok(CREATE_USER, { i: { name: "racer" } }, op.token)));
    const codes = results.map((r) => r.createUser.userErrors.map((e: { code: string }) => e.code).join());
    expect(codes.filter((c) => c === "")).toHaveLength(1);
    expect(codes.filter((c) => c === "USER_NAME_TAKEN")).toHaveLength(5);
  });

  it("U1: at most 100 users per operator, also when the last ones are created concurrently (USER_LIMIT_EXCEEDED)", async () => {
    const op = await signUp(h);
    for (let i = 0; i < 95; i += 19) {
      await Promise.all(Array.from({ length: 19 }, (_, j) => createUser(op, `u${i + j}`, { password: null })));
    }
    const results = await Promise.all(Array.from({ length: 10 }, (_, j) => h.ok(CREATE_USER, { i: { name: `last${j}` } }, op.token)));
    const codes = results.map((r) => r.createUser.userErrors.map((e: { code: string }) => e.code).join());
    expect(codes.filter((c) => c === "")).toHaveLength(5);
    expect(codes.filter((c) => c === "USER_LIMIT_EXCEEDED")).toHaveLength(5);
    expect((await h.ok(`{ viewer { users(first: 1) { totalCount } } }`, {}, op.token)).viewer.users.totalCount).toBe(100);
  });

  it("U3: malformed statements are refused whole with the path of the bad element (PERMISSION_STATEMENT_INVALID)", async () => {
    const op = await signUp(h);
    const bad = [{ effect: "ALLOW", actions: ["Sim:read"] }, { effect: "DENY", actions: ["Sim:fly"] }];
    const created = await h.ok(CREATE_USER, { i: { name: "bad", permissions: bad } }, op.token);
    expect(created.createUser).toEqual({ user: null, userErrors: [{ code: "PERMISSION_STATEMENT_INVALID", field: ["input", "permissions", "1", "actions", "0"] }] });
    const user = await createUser(op, "good");
    const set = await h.ok(SET_PERMISSIONS, { i: { userId: user.id, statements: [{ effect: "ALLOW", actions: ["Support:*"], resources: ["sim:*"] }] } }, op.token);
    expect(set.setUserPermissions.user).toBeNull();
    expect(set.setUserPermissions.userErrors[0]).toMatchObject({ code: "PERMISSION_STATEMENT_INVALID", field: expect.arrayContaining(["input", "statements", "0"]) });
    const tooMany = Array.from({ length: 51 }, () => ({ effect: "ALLOW", actions: ["Sim:read"] }));
    const over = await h.ok(SET_PERMISSIONS, { i: { userId: user.id, statements: tooMany } }, op.token);
    expect(over.setUserPermissions.userErrors).toEqual([{ code: "PERMISSION_STATEMENT_INVALID", field: ["input", "statements", "50"] }]);
  });

  it("U1/U2: updateUser sets and removes the password (empty string); without one the user cannot sign in with a password", async () => {
    const op = await signUp(h);
    const user = await createUser(op, "carol", { password: null });
    expect((await h.ok(AUTH, { i: { operatorId: op.operatorId, userName: "carol", password: "" } })).authenticate.userErrors[0].code).toBe("CREDENTIALS_INVALID");
    const set = await h.ok(UPDATE_USER, { i: { userId: user.id, password: "new password 1", description: "d" } }, op.token);
    expect(set.updateUser).toEqual({ user: { id: user.id, description: "d", hasPassword: true }, userErrors: [] });
    await signInUser(op, "carol", "new password 1");
    const short = await h.ok(UPDATE_USER, { i: { userId: user.id, password: "short" } }, op.token);
    expect(short.updateUser.userErrors).toEqual([{ code: "INVALID_INPUT", field: ["input", "password"] }]);
    const removed = await h.ok(UPDATE_USER, { i: { userId: user.id, password: "" } }, op.token);
    expect(removed.updateUser.user.hasPassword).toBe(false);
    expect((await h.ok(AUTH, { i: { operatorId: op.operatorId, userName: "carol", password: "new password 1" } })).authenticate.userErrors[0].code).toBe("CREDENTIALS_INVALID");
  });

  it("O4: another operator's user is NOT_FOUND to update, set or delete", async () => {
    const [a, b] = [await signUp(h), await signUp(h)];
    const user = await createUser(a, "dave");
    expect((await h.ok(UPDATE_USER, { i: { userId: user.id, description: "x" } }, b.token)).updateUser.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "userId"] }]);
    expect((await h.ok(SET_PERMISSIONS, { i: { userId: user.id, statements: [] } }, b.token)).setUserPermissions.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "userId"] }]);
    expect((await h.ok(DELETE_USER, { i: { userId: user.id } }, b.token)).deleteUser.userErrors).toEqual([{ code: "NOT_FOUND", field: ["input", "userId"] }]);
  });
});

describe("U2 user sign-in", () => {
  it("U2: operator ID + user name + password gives a token of 24 h by default, 48 h at most", async () => {
    const op = await signUp(h);
    await createUser(op, "erin");
    const before = h.clock.now().getTime();
    const data = await h.ok(AUTH, { i: { operatorId: op.operatorId, userName: "erin", password: PASSWORD } });
    expect(data.authenticate.operator).toEqual({ operatorId: op.operatorId });
    const lifetime = new Date(data.authenticate.expiresAt).getTime() - before;
    expect(lifetime).toBeGreaterThanOrEqual(86_400_000);
    expect(lifetime).toBeLessThan(86_400_000 + 60_000);
    const long = await h.ok(AUTH, { i: { operatorId: op.operatorId, userName: "erin", password: PASSWORD, tokenTimeoutSeconds: 172_801 } });
    expect(long.authenticate.userErrors).toEqual([expect.objectContaining({ code: "INVALID_INPUT", field: ["input", "tokenTimeoutSeconds"] })]);
    // The user's own session: actor user:<name> (U10).
    await h.ok(`mutation { logout { userErrors { code } } }`, {}, data.authenticate.token);
    expect((await auditOf(op, "logout"))[0]).toMatchObject({ actor: "user:erin", result: "SUCCEEDED" });
  });

  it("U2: a wrong operator, name or password, or a user without password, all answer CREDENTIALS_INVALID alike", async () => {
    const [op, other] = [await signUp(h), await signUp(h)];
    await createUser(op, "frank");
    await createUser(op, "nopass", { password: null });
    const attempts = [
      { operatorId: other.operatorId, userName: "frank", password: PASSWORD },
      { operatorId: "OP0000000000", userName: "frank", password: PASSWORD },
      { operatorId: op.operatorId, userName: "frankie", password: PASSWORD },
      { operatorId: op.operatorId, userName: "frank", password: "wrong password" },
      { operatorId: op.operatorId, userName: "nopass", password: PASSWORD },
    ];
    const answers = await Promise.all(attempts.map((i) => h.ok(AUTH, { i })));
    for (const answer of answers) {
      expect(answer.authenticate).toEqual({
        token: null,
        expiresAt: null,
        operator: null,
        userErrors: [{ code: "CREDENTIALS_INVALID", message: "The credentials do not match an account.", field: ["input"] }],
      });
    }
    // An unknown operator and an unknown user of a known operator cost the same statements.
    const unknownOperator = await sendCounted(h, AUTH, { i: attempts[1] }, null);
    const unknownUser = await sendCounted(h, AUTH, { i: attempts[2] }, null);
    expect(unknownUser.statements).toBe(unknownOperator.statements);
    // Mixing the root's and a user's credentials is malformed.
    const mixed = await h.ok(AUTH, { i: { email: op.email, operatorId: op.operatorId, userName: "frank", password: PASSWORD } });
    expect(mixed.authenticate.userErrors[0].code).toBe("INVALID_INPUT");
  });
});

describe("U5 root only", () => {
  it("U5/U10: a user calling createUser, updateUser, setUserPermissions, deleteUser or createAuthKey gets PERMISSION_DENIED, audited as user:<name>", async () => {
    const op = await signUp(h);
    const target = await createUser(op, "target");
    await createUser(op, "grace", { permissions: [{ effect: "ALLOW", actions: ["*"] }] });
    const token = await signInUser(op, "grace");
    const calls: [string, string, Record<string, unknown>][] = [
      ["createUser", CREATE_USER, { i: { name: "sneaky" } }],
      ["updateUser", UPDATE_USER, { i: { userId: target.id, description: "x" } }],
      ["setUserPermissions", SET_PERMISSIONS, { i: { userId: target.id, statements: [{ effect: "ALLOW", actions: ["*"] }] } }],
      ["deleteUser", DELETE_USER, { i: { userId: target.id } }],
      ["createAuthKey", CREATE_KEY, { i: { userId: target.id } }],
    ];
    for (const [field, query, variables] of calls) {
      const data = await h.ok(query, variables, token);
      expect(data[field].userErrors, field).toEqual([{ code: "PERMISSION_DENIED", field: null }]);
      expect((await auditOf(op, field))[0], field).toMatchObject({ actor: "user:grace", result: "REFUSED", errorCodes: ["PERMISSION_DENIED"] });
    }
    expect((await h.ok(`{ viewer { users(first: 10) { totalCount } } }`, {}, op.token)).viewer.users.totalCount).toBe(2);
    const explained = await h.gql(EXPLAIN, { u: target.id, a: "Sim:read" }, token);
    expect(explained.errors?.[0]?.extensions?.code).toBe("PERMISSION_DENIED");
  });
});

describe("U7 explainAccess", () => {
  it("U7: answers allowed or not with the deciding statement's index and a sentence, on the operator and on a SIM", async () => {
    const op = await signUp(h);
    const [sim] = await ownSims(h, op, 1);
    const statements = [
      { effect: "ALLOW", actions: ["Support:*", "Sim:*"] },
      { effect: "DENY", actions: ["Support:closeSupportTicket"] },
      { effect: "DENY", actions: ["Sim:terminateSim"], resources: [`sim:imsi:${sim!.imsi}`] },
    ];
    const user = await createUser(op, "henry", { permissions: statements });
    const ask = async (a: string, r?: string) => (await h.ok(EXPLAIN, { u: user.id, a, r }, op.token)).explainAccess;
    expect(await ask("Support:createSupportTicket")).toMatchObject({ allowed: true, decidingStatement: 0 });
    expect(await ask("Support:closeSupportTicket")).toMatchObject({ allowed: false, decidingStatement: 1 });
    expect(await ask("AuditLog:read")).toMatchObject({ allowed: false, decidingStatement: null });
    expect(await ask("Sim:activateSim", sim!.id)).toMatchObject({ allowed: true, decidingStatement: 0 });
    const denied = await ask("Sim:terminateSim", sim!.id);
    expect(denied).toMatchObject({ allowed: false, decidingStatement: 2 });
    expect(denied.explanation).toMatch(/statement 2/);
    const rootOnly = await ask("User:createUser");
    expect(rootOnly).toMatchObject({ allowed: false, decidingStatement: null });
    expect(rootOnly.explanation).toMatch(/root user only/);
    const other = await signUp(h);
    const unknownUser = await h.gql(EXPLAIN, { u: user.id, a: "Sim:read" }, other.token);
    expect(unknownUser.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
    const foreignSim = await h.gql(EXPLAIN, { u: user.id, a: "Sim:read", r: (await ownSims(h, other, 1))[0]!.id }, op.token);
    expect(foreignSim.errors?.[0]?.extensions?.code).toBe("NOT_FOUND");
  });
});

describe("U8 changes apply at once", () => {
  it("U8: setUserPermissions applies on the user's next request", async () => {
    const op = await signUp(h);
    const user = await createUser(op, "ivy");
    const token = await signInUser(op, "ivy");
    expect((await h.ok(WHOAMI, {}, token)).whoami.user.permissions).toEqual([]);
    const statements = [{ effect: "ALLOW", actions: ["Sim:read"], resources: ["sim:tag:site=tokyo-*"] }];
    expect((await h.ok(SET_PERMISSIONS, { i: { userId: user.id, statements } }, op.token)).setUserPermissions.userErrors).toEqual([]);
    expect((await h.ok(WHOAMI, {}, token)).whoami.user.permissions).toEqual(statements);
    expect((await h.ok(EXPLAIN, { u: user.id, a: "Sim:read" }, op.token)).explainAccess.allowed).toBe(false);
    expect((await h.ok(SET_PERMISSIONS, { i: { userId: user.id, statements: [{ effect: "ALLOW", actions: ["Sim:read"] }] } }, op.token)).setUserPermissions.userErrors).toEqual([]);
    expect((await h.ok(EXPLAIN, { u: user.id, a: "Sim:read" }, op.token)).explainAccess).toMatchObject({ allowed: true, decidingStatement: 0 });
  });

  it("U8: deleting a user stops its tokens and auth keys at once", async () => {
    const op = await signUp(h);
    const user = await createUser(op, "jack");
    const token = await signInUser(op, "jack");
    const key = (await h.ok(CREATE_KEY, { i: { userId: user.id } }, op.token)).createAuthKey;
    expect(key.userErrors).toEqual([]);
    const keyToken = (await h.ok(AUTH, { i: { authKeyId: key.authKeyId, authKey: key.authKey } })).authenticate.token;
    expect((await h.ok(WHOAMI, {}, keyToken)).whoami.kind).toBe("USER");
    const deleted = await h.ok(DELETE_USER, { i: { userId: user.id } }, op.token);
    expect(deleted.deleteUser).toEqual({ deletedUserId: user.id, userErrors: [] });
    for (const t of [token, keyToken]) {
      expect((await h.ok(WHOAMI, {}, t)).whoami).toBeNull();
      expect((await h.gql(`{ viewer { id } }`, {}, t)).data.viewer).toBeNull();
    }
    const again = await h.ok(AUTH, { i: { authKeyId: key.authKeyId, authKey: key.authKey } });
    expect(again.authenticate.userErrors[0].code).toBe("CREDENTIALS_INVALID");
    expect((await h.ok(`{ viewer { authKeys { authKeyId } } }`, {}, op.token)).viewer.authKeys).toEqual([]);
    expect((await auditOf(op, "deleteUser"))[0]).toMatchObject({ actor: op.email, result: "SUCCEEDED", targetIds: [user.id] });
  });
});

describe("U9 auth keys of users, expiry and CIDR blocks", () => {
  it("U9/U10: a user's key signs in as the user (actor user:<name>); a root key acts as authKey:<id>", async () => {
    const op = await signUp(h);
    const user = await createUser(op, "kate");
    const userKey = (await h.ok(CREATE_KEY, { i: { userId: user.id } }, op.token)).createAuthKey;
    const rootKey = (await h.ok(CREATE_KEY, {}, op.token)).createAuthKey;
    const keys = await h.ok(`{ viewer { authKeys { authKeyId user { name } expiresAt allowedCidrs } } }`, {}, op.token);
    expect(keys.viewer.authKeys).toEqual([
      { authKeyId: userKey.authKeyId, user: { name: "kate" }, expiresAt: null, allowedCidrs: [] },
      { authKeyId: rootKey.authKeyId, user: null, expiresAt: null, allowedCidrs: [] },
    ]);
    const userToken = (await h.ok(AUTH, { i: { authKeyId: userKey.authKeyId, authKey: userKey.authKey } })).authenticate.token;
    expect((await h.ok(WHOAMI, {}, userToken)).whoami).toMatchObject({ kind: "USER", authKeyId: userKey.authKeyId, user: { name: "kate" } });
    await h.ok(`mutation { logout { userErrors { code } } }`, {}, userToken);
    const rootToken = (await h.ok(AUTH, { i: { authKeyId: rootKey.authKeyId, authKey: rootKey.authKey } })).authenticate.token;
    expect((await h.ok(WHOAMI, {}, rootToken)).whoami).toMatchObject({ kind: "ROOT", authKeyId: rootKey.authKeyId, user: null });
    await h.ok(`mutation { logout { userErrors { code } } }`, {}, rootToken);
    expect((await auditOf(op, "logout")).map((e) => e.actor)).toEqual([`authKey:${rootKey.authKeyId}`, "user:kate"]);
    expect((await auditOf(op, "authenticate")).slice(0, 2).map((e) => e.actor)).toEqual([`authKey:${rootKey.authKeyId}`, "user:kate"]);
  });

  it("U9: a key with an expiry gives tokens that end no later than it, and signs in no more after it", async () => {
    const op = await signUp(h);
    const expiresAt = new Date(h.clock.now().getTime() + 3_600_000).toISOString();
    const past = await h.ok(CREATE_KEY, { i: { expiresAt: new Date(h.clock.now().getTime() - 1000).toISOString() } }, op.token);
    expect(past.createAuthKey).toEqual({ authKeyId: null, authKey: null, userErrors: [{ code: "EXPIRY_IN_PAST", field: ["input", "expiresAt"] }] });
    const key = (await h.ok(CREATE_KEY, { i: { expiresAt } }, op.token)).createAuthKey;
    const signedIn = (await h.ok(AUTH, { i: { authKeyId: key.authKeyId, authKey: key.authKey } })).authenticate;
    expect(signedIn.expiresAt).toBe(expiresAt);
    try {
      h.clock.advance(3_600_000 - 1000);
      expect((await h.ok(WHOAMI, {}, signedIn.token)).whoami.kind).toBe("ROOT");
      h.clock.advance(1000);
      expect((await h.ok(WHOAMI, {}, signedIn.token)).whoami).toBeNull();
      const late = await h.ok(AUTH, { i: { authKeyId: key.authKeyId, authKey: key.authKey } });
      expect(late.authenticate.userErrors[0].code).toBe("CREDENTIALS_INVALID");
    } finally {
      h.clock.reset();
    }
  });

  it("U9: IPv4 and IPv6 CIDR blocks bound where the key signs in and where its tokens work", async () => {
    const op = await signUp(h);
    const user = await createUser(op, "leo");
    const created = await h.ok(CREATE_KEY, { i: { userId: user.id, allowedCidrs: ["203.0.113.77/24", "2001:db8::/32"] } }, op.token);
    const key = created.createAuthKey;
    expect(key.userErrors).toEqual([]);
    const listed = await h.ok(`{ viewer { authKeys { allowedCidrs } } }`, {}, op.token);
    expect(listed.viewer.authKeys[0].allowedCidrs).toEqual(["203.0.113.0/24", "2001:db8::/32"]);
    const signIn = (ip: string) => send(AUTH, { i: { authKeyId: key.authKeyId, authKey: key.authKey } }, null, from(ip));
    for (const outside of ["198.51.100.1", "2001:db9::1"]) {
      expect((await signIn(outside)).data.authenticate.userErrors[0].code, outside).toBe("CREDENTIALS_INVALID");
    }
    const v4 = (await signIn("203.0.113.200")).data.authenticate.token as string;
    const v6 = (await signIn("2001:db8:1::5")).data.authenticate.token as string;
    expect((await send(WHOAMI, {}, v4, from("203.0.113.1"))).data.whoami.user.name).toBe("leo");
    expect((await send(WHOAMI, {}, v4, from("::ffff:203.0.113.9"))).data.whoami.user.name).toBe("leo");
    expect((await send(WHOAMI, {}, v6, from("2001:db8::1"))).data.whoami.user.name).toBe("leo");
    for (const [token, ip] of [[v4, "198.51.100.9"], [v6, "2001:db9::1"], [v4, "203.0.114.1"]] as const) {
      const refused = await send(`{ viewer { id } whoami { kind } }`, {}, token, from(ip));
      expect(refused.data?.whoami ?? null, ip).toBeNull();
      const scoped = await send(`mutation { logout { userErrors { code } } }`, {}, token, from(ip));
      expect(scoped.errors?.[0]?.extensions?.code, ip).toBe("UNAUTHENTICATED");
    }
  });

  it("U9: malformed CIDR blocks are CIDR_INVALID with the path of the bad one; nothing is created", async () => {
    const op = await signUp(h);
    for (const bad of ["300.1.1.1/8", "10.0.0.0/33", "10.0.0.1", "2001:db8::/129", "example.com/24"]) {
      const data = await h.ok(CREATE_KEY, { i: { allowedCidrs: ["10.0.0.0/8", bad] } }, op.token);
      expect(data.createAuthKey, bad).toEqual({ authKeyId: null, authKey: null, userErrors: [{ code: "CIDR_INVALID", field: ["input", "allowedCidrs", "1"] }] });
    }
    expect((await h.ok(`{ viewer { authKeys { authKeyId } } }`, {}, op.token)).viewer.authKeys).toEqual([]);
  });
});
