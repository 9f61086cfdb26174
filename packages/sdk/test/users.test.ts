// U1–U9 through the SDK: the root user's users and their statements, a partner signing in as a
// user (password or auth key), whoami, explainAccess, and what a deleted user's client gets.
import { beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  SIMGATE_ACTIONS,
  SimgateAuthenticationError,
  SimgateNotFoundError,
  SimgatePermissionError,
  type PermissionStatementInput,
  type SimgateAction,
  type SimgateClient,
} from "../src/index.ts";
import { ACTIONS } from "../../schema/src/domain/permissions.ts";
import { ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { recordingFetch } from "./support/recording.ts";
import { startServer, type TestServer } from "./support/server.ts";

const PASSWORD = "partner password 42";

let server: TestServer;
let op: TestOperator;

beforeAll(async () => {
  server = await startServer();
  op = await signUp(server);
});

let serial = 0;
const uniqueName = (label: string) => `${label}-${++serial}`;

async function createUser(statements: PermissionStatementInput[] = [], name = uniqueName("user")) {
  const user = ok(await op.client.users.create({ name, password: PASSWORD, permissions: statements }));
  return { user, client: server.client({ user: { operatorId: op.operatorId, name, password: PASSWORD } }) };
}

describe("users (U1, U3)", () => {
  it("U1: the root creates, reads, lists, updates and re-permissions a user; statements come back typed", async () => {
    const { user } = await createUser([{ effect: "ALLOW", actions: ["Sim:read"] }], "ops.team_A");
    expect(user).toMatchObject({ name: "ops.team_A", hasPassword: true, permissions: [{ effect: "ALLOW", actions: ["Sim:read"], resources: ["*"] }] });
    expect(await op.client.users.get(user.id)).toEqual(user);
    expect(await op.client.users.get("VXNlcjpub3BlOm5vcGU=")).toBeNull();

    const updated = ok(await op.client.users.update({ userId: user.id, description: "night shift", password: "" }));
    expect(updated).toMatchObject({ description: "night shift", hasPassword: false });
    const statements: PermissionStatementInput[] = [
      { effect: "ALLOW", actions: ["Sim:*", "Group:read"], resources: ["sim:tag:site=tokyo-*"] },
      { effect: "DENY", actions: ["Sim:terminateSim", "Sim:terminateSims"] },
    ];
    const repermitted = ok(await op.client.users.setPermissions(user.id, statements));
    expect(repermitted.permissions).toEqual([{ ...statements[0] }, { ...statements[1], resources: ["*"] }]);
    expectTypeOf(repermitted.permissions[0]!.actions).toEqualTypeOf<SimgateAction[]>();

    const listed = await op.client.users.collect({ pageSize: 1 });
    expect(listed.map((u) => u.id)).toContain(user.id);
    expect((await op.client.users.list({ first: 1 })).totalCount).toBe(listed.length);
  });

  it("U1/U3: refusals are data with the contract's codes and the path at fault", async () => {
    const name = uniqueName("taken");
    await createUser([], name);
    const again = await op.client.users.create({ name });
    expect(again).toEqual({ ok: false, userErrors: [expect.objectContaining({ code: "USER_NAME_TAKEN", field: ["input", "name"] })] });
    expect(await op.client.users.create({ name: "two words" })).toMatchObject({ ok: false, userErrors: [{ code: "USER_NAME_INVALID" }] });
    const { user } = await createUser();
    const bad = await op.client.users.setPermissions(user.id, [
      { effect: "ALLOW", actions: ["Sim:read"] },
      { effect: "ALLOW", actions: ["Sim:read"], resources: ["sim:nonsense"] },
    ]);
    expect(bad).toMatchObject({ ok: false, userErrors: [{ code: "PERMISSION_STATEMENT_INVALID" }] });
    expect(!bad.ok && bad.userErrors[0]!.field).toEqual(["input", "statements", "1", "resources", "0"]);
  });

  it("U3: the action names are a generated union: the catalog's actions, <Area>:* and *; a typo does not compile", () => {
    expect([...SIMGATE_ACTIONS]).toEqual([...ACTIONS]);
    const statement: PermissionStatementInput = { effect: "ALLOW", actions: ["Sim:terminateSim", "Sim:*", "*"] };
    // @ts-expect-error "Sim:terminatSim" is not an action of the catalog
    const typo: PermissionStatementInput = { effect: "ALLOW", actions: ["Sim:terminatSim"] };
    // @ts-expect-error an area that does not exist has no wildcard either
    const area: SimgateAction = "Sims:*";
    expect([statement, typo, area]).toHaveLength(3);
  });

  it("U5: a user calling a root-only mutation gets PERMISSION_DENIED as data", async () => {
    const { client } = await createUser([{ effect: "ALLOW", actions: ["*"] }]);
    expect(await client.users.create({ name: uniqueName("nope") })).toMatchObject({ ok: false, userErrors: [{ code: "PERMISSION_DENIED" }] });
  });
});

describe("signing in as a user (U2, U9)", () => {
  it("U2/U4: a partner signs in with `user: { operatorId, name, password }` and sees only the SIMs its statements allow", async () => {
    const sims = await ownSims(server, op, 5);
    for (const sim of [sims[1]!, sims[3]!]) ok(await op.client.sims.update({ simId: sim.id, tags: [{ name: "partner", value: "acme" }] }));
    const { client } = await createUser([{ effect: "ALLOW", actions: ["Sim:read"], resources: ["sim:tag:partner=acme"] }]);
    const page = await client.sims.list({ first: 100 });
    expect(page.totalCount).toBe(2);
    expect(page.nodes.map((s) => s.id).sort()).toEqual([sims[1]!.id, sims[3]!.id].sort());
    expect(await client.sims.get(sims[0]!.imsi)).toBeNull();
  });

  it("U2: the password client signs in lazily once, reuses the token, and whoami names the user", async () => {
    const name = uniqueName("lazy");
    const { user } = await createUser([], name);
    const recorder = recordingFetch();
    const client = server.client({ user: { operatorId: op.operatorId, name, password: PASSWORD } }, { fetch: recorder.fetch });
    expect(recorder.requests).toEqual([]);
    const me = await client.whoami();
    expect(me).toMatchObject({ kind: "USER", operatorId: op.operatorId, authKeyId: null, user: { id: user.id, name, permissions: [] } });
    await client.whoami();
    expect(recorder.requests.map((r) => r.operation)).toEqual(["Authenticate", "Whoami", "Whoami"]);
    expect(recorder.requests[2]!.authorization).toBe(recorder.requests[1]!.authorization);
    expect(await op.client.whoami()).toEqual({ kind: "ROOT", operatorId: op.operatorId, authKeyId: null, user: null });
  });

  it("U2: a wrong password is SimgateAuthenticationError CREDENTIALS_INVALID", async () => {
    const { user } = await createUser();
    const error = await server.client({ user: { operatorId: op.operatorId, name: user.name, password: "wrong password" } }).whoami().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateAuthenticationError);
    expect(error).toMatchObject({ code: "CREDENTIALS_INVALID" });
  });

  it("U9: the authKey option signs in with a user's key, as that user", async () => {
    const { user } = await createUser([{ effect: "ALLOW", actions: ["Sim:read"] }]);
    const key = ok(await op.client.auth.createAuthKey({ userId: user.id, allowedCidrs: ["127.0.0.1/32", "::1/128"] }));
    const client = server.client({ authKey: { id: key.authKeyId, secret: key.authKey } });
    expect(await client.whoami()).toMatchObject({ kind: "USER", authKeyId: key.authKeyId, user: { id: user.id } });
    expect(await op.client.users.authKeys(user.id)).toEqual([expect.objectContaining({ authKeyId: key.authKeyId, allowedCidrs: ["127.0.0.1/32", "::1/128"], expiresAt: null })]);
    expect(await op.client.auth.createAuthKey({ userId: user.id, allowedCidrs: ["10.0.0.0/33"] })).toMatchObject({ ok: false, userErrors: [{ code: "CIDR_INVALID" }] });
  });
});

describe("explainAccess (U7)", () => {
  it("U7: answers allowed or not, the deciding statement and a sentence; for a SIM its tags decide", async () => {
    const [inScope, outOfScope] = await ownSims(server, op, 2);
    ok(await op.client.sims.update({ simId: inScope!.id, tags: [{ name: "site", value: "tokyo-1" }] }));
    const { user } = await createUser([
      { effect: "ALLOW", actions: ["Sim:*"], resources: ["sim:tag:site=tokyo-*"] },
      { effect: "DENY", actions: ["Sim:terminateSim"] },
    ]);
    expect(await op.client.users.explainAccess(user.id, "Sim:suspendSim", inScope!.id)).toMatchObject({ allowed: true, decidingStatement: 0 });
    expect(await op.client.explainAccess(user.id, "Sim:terminateSim", inScope!.id)).toMatchObject({ allowed: false, decidingStatement: 1 });
    const outside = await op.client.users.explainAccess(user.id, "Sim:suspendSim", outOfScope!.id);
    expect(outside).toMatchObject({ allowed: false, decidingStatement: null, explanation: expect.any(String) });
  });

  it("U7: an unknown user is SimgateNotFoundError; a user asking is SimgatePermissionError", async () => {
    const error = await op.client.users.explainAccess("VXNlcjpub3BlOm5vcGU=", "Sim:read").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateNotFoundError);
    expect(error).toMatchObject({ code: "NOT_FOUND", status: 200 });
    const { user, client } = await createUser([{ effect: "ALLOW", actions: ["*"] }]);
    const denied = await client.users.explainAccess(user.id, "Sim:read").catch((e: unknown) => e);
    expect(denied).toBeInstanceOf(SimgatePermissionError);
    expect(denied).toMatchObject({ code: "PERMISSION_DENIED" });
  });
});

describe("deleting a user (U8)", () => {
  async function failureOf(client: SimgateClient) {
    return client.whoami().catch((e: unknown) => e);
  }

  it("U8: each of the user's clients fails its next call with SimgateAuthenticationError", async () => {
    const { user, client: passwordClient } = await createUser([{ effect: "ALLOW", actions: ["Sim:read"] }]);
    const key = ok(await op.client.auth.createAuthKey({ userId: user.id }));
    const keyClient = server.client({ authKey: { id: key.authKeyId, secret: key.authKey } });
    const session = ok(await server.client().auth.authenticate({ operatorId: op.operatorId, userName: user.name, password: PASSWORD }));
    const tokenClient = server.client({ token: session.token });
    for (const client of [passwordClient, keyClient, tokenClient]) expect((await client.whoami()).user?.id).toBe(user.id);

    expect(ok(await op.client.users.delete(user.id))).toBe(user.id);

    // A bare token is simply no longer valid.
    const tokenError = await failureOf(tokenClient);
    expect(tokenError).toBeInstanceOf(SimgateAuthenticationError);
    expect(tokenError).toMatchObject({ code: "UNAUTHENTICATED" });
    // Clients that sign in by themselves try once more, and the server refuses the user's credentials.
    for (const client of [passwordClient, keyClient]) {
      const error = await failureOf(client);
      expect(error).toBeInstanceOf(SimgateAuthenticationError);
      expect(error).toMatchObject({ code: "CREDENTIALS_INVALID" });
    }
    expect(await tokenClient.sims.list().catch((e: unknown) => e)).toBeInstanceOf(SimgateAuthenticationError);
    expect(await op.client.users.get(user.id)).toBeNull();
  });
});
