// Persisted operations. The SDK's operations are registered by the SHA-256 of
// their text (the SDK's generated manifest, read here as JSON like the server reads it); in
// `require` mode other documents are refused before execution, except for the administrator and,
// in development, signed-in callers (GraphiQL).
import { createHash } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { parse, validate } from "graphql";
import { describe, expect, it } from "vitest";
import { schema } from "@simgate/schema/graphql";
import { loadConfig } from "../src/config.ts";
import { DEFAULT_MANIFEST_PATH, loadPersistedOperations, PersistedOperationsManifestError } from "../src/persisted-operations.ts";
import { uniqueEmail } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness, type Harness } from "./support/harness.ts";

const manifest = JSON.parse(readFileSync(DEFAULT_MANIFEST_PATH, "utf8")) as { operations: Record<string, string> };

/** The registered hash of the SDK operation named `name`. */
function registered(name: string): string {
  const found = Object.entries(manifest.operations).find(([, body]) => new RegExp(`^(query|mutation) ${name}\\b`).test(body));
  if (!found) throw new Error(`no registered operation ${name}`);
  return found[0];
}

const byHash = (hash: string, variables?: Record<string, unknown>) => ({ variables, extensions: { persistedQuery: { version: 1, sha256Hash: hash } } });
const bearer = (token: string | null): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

async function post(h: Harness, body: unknown, token: string | null = null) {
  const response = await h.raw({ body, headers: bearer(token) });
  return { status: response.status, body: (await response.json()) as { data?: any; errors?: { message: string; extensions?: { code?: string } }[] } };
}

/** Signs up through the SDK's registered SignUp operation (works in every mode). */
async function signUpByHash(h: Harness): Promise<{ token: string; operatorId: string }> {
  const { body } = await post(h, byHash(registered("SignUp"), { input: { email: uniqueEmail("pq"), password: "correct horse battery", name: "PQ" } }));
  expect(body.errors).toBeUndefined();
  expect(body.data.signUp.userErrors).toEqual([]);
  return { token: body.data.signUp.token, operatorId: body.data.signUp.operator.operatorId };
}

const CREATE_AUTH_KEY = `mutation { createAuthKey { authKeyId userErrors { code } } }`;
const VIEWER = `query { viewer { operatorId } }`;

describe("persisted operations: manifest", () => {
  it("every entry's key is the SHA-256 of its document text", () => {
    const entries = Object.entries(manifest.operations);
    expect(entries.length).toBeGreaterThan(40);
    for (const [hash, body] of entries) expect(createHash("sha256").update(body, "utf8").digest("hex")).toBe(hash);
  });

  it("every registered operation is valid against the server's schema (no registered call fails validation)", () => {
    for (const body of Object.values(manifest.operations)) expect(validate(schema, parse(body)).map((e) => e.message), body.split("\n")[0]).toEqual([]);
  });

  it("a missing or malformed manifest stops the start with a message naming the file", () => {
    const dir = mkdtempSync(join(tmpdir(), "simgate-pq-"));
    try {
      expect(() => loadPersistedOperations(join(dir, "missing.json"))).toThrow(/missing\.json/);
      writeFileSync(join(dir, "bad.json"), JSON.stringify({ operations: { "not-a-hash": "query { viewer { id } }" } }));
      expect(() => loadPersistedOperations(join(dir, "bad.json"))).toThrow(PersistedOperationsManifestError);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(() => loadConfig({ SIMGATE_PERSISTED_OPERATIONS: "sometimes" })).toThrow(/SIMGATE_PERSISTED_OPERATIONS/);
  });
});

describe("persisted operations: require mode (production)", async () => {
  const h = await startHarness({ env: { SIMGATE_PERSISTED_OPERATIONS: "require", NODE_ENV: "production" } });
  const op = await signUpByHash(h);

  it("an operator's ad-hoc mutation is refused with PERSISTED_QUERY_ONLY before execution (nothing changes, nothing audited)", async () => {
    const before = { keys: await h.app.db.authKey.count(), audit: await h.app.db.auditLogEntry.count() };
    const { status, body } = await post(h, { query: CREATE_AUTH_KEY }, op.token);
    expect(status).toBe(400);
    expect(body.data).toBeUndefined();
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_ONLY"]);
    expect(body.errors?.[0]?.message).toMatch(/only registered operations/);
    expect({ keys: await h.app.db.authKey.count(), audit: await h.app.db.auditLogEntry.count() }).toEqual(before);
  });

  it("anonymous ad-hoc documents are refused too", async () => {
    const { body } = await post(h, { query: `mutation { signUp(input: { email: "x@example.com", password: "correct horse battery", name: "X" }) { token } }` });
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_ONLY"]);
    expect(await h.app.db.emailAddress.count({ where: { address: "x@example.com" } })).toBe(0);
  });

  it("the SDK's registered operations run by hash (query and mutation)", async () => {
    const viewer = await post(h, byHash(registered("Viewer")), op.token);
    expect(viewer.body.errors).toBeUndefined();
    expect(viewer.body.data.viewer.operatorId).toBe(op.operatorId);
    const keys = await h.app.db.authKey.count();
    const created = await post(h, byHash(registered("CreateAuthKey")), op.token);
    expect(created.body.data.createAuthKey.userErrors).toEqual([]);
    expect(await h.app.db.authKey.count()).toBe(keys + 1);
  });

  it("a hash and a document together are treated as an ad-hoc document (refused)", async () => {
    const { body } = await post(h, { query: CREATE_AUTH_KEY, ...byHash(registered("CreateAuthKey")) }, op.token);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_ONLY"]);
  });

  it("an unknown hash answers PERSISTED_QUERY_NOT_FOUND", async () => {
    const { status, body } = await post(h, byHash("0".repeat(64)), op.token);
    expect(status).toBe(400);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_NOT_FOUND"]);
    expect(body.errors?.[0]?.message).toMatch(/^PersistedQueryNotFound/);
    // Not even a hash: the request names nothing to run.
    const empty = await post(h, { variables: {} }, op.token);
    expect(empty.body.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_REQUEST"]);
    // Hostile or foreign extensions name nothing either; a huge hash is just unknown.
    const codes = async (persistedQuery: unknown) => (await post(h, { extensions: { persistedQuery } }, op.token)).body.errors?.map((e) => e.extensions?.code);
    expect(await codes({ version: 2, sha256Hash: registered("Viewer") })).toEqual(["BAD_REQUEST"]);
    expect(await codes({ version: 1, sha256Hash: 42 })).toEqual(["BAD_REQUEST"]);
    expect(await codes("not an object")).toEqual(["BAD_REQUEST"]);
    expect(await codes({ version: 1, sha256Hash: "é".repeat(50_000) })).toEqual(["PERSISTED_QUERY_NOT_FOUND"]);
  });

  it("O5: the administrator may send ad-hoc documents", async () => {
    const { body } = await post(h, { query: `query { adminOutbox(first: 1) { id } }` }, ADMIN_SECRET);
    expect(body.errors).toBeUndefined();
    expect(Array.isArray(body.data.adminOutbox)).toBe(true);
  });

  it("outside development a signed-in operator gets no exception (GraphiQL needs hashes or the admin secret)", async () => {
    const { body } = await post(h, { query: VIEWER }, op.token);
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_ONLY"]);
  });
});

describe("persisted operations: require mode in development (GraphiQL)", async () => {
  const h = await startHarness({ env: { SIMGATE_PERSISTED_OPERATIONS: "require", NODE_ENV: "development" } });
  const op = await signUpByHash(h);

  it("a signed-in operator's ad-hoc query runs", async () => {
    const { body } = await post(h, { query: VIEWER }, op.token);
    expect(body.errors).toBeUndefined();
    expect(body.data.viewer.operatorId).toBe(op.operatorId);
  });

  it("an anonymous ad-hoc query, or one with a revoked or made-up token, is refused", async () => {
    expect((await post(h, { query: VIEWER })).body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_ONLY"]);
    expect((await post(h, { query: VIEWER }, "sg_made-up-token")).body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_ONLY"]);
    const other = await signUpByHash(h);
    const logout = await post(h, byHash(registered("Logout")), other.token);
    expect(logout.body.errors).toBeUndefined();
    expect((await post(h, { query: VIEWER }, other.token)).body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_ONLY"]);
  });

  it("the bearer is looked up once per request: the persisted-operation check, the context and the rate limits share one identity", async () => {
    h.statements.reset();
    h.statements.counting = true;
    try {
      const { body } = await post(h, { query: VIEWER }, op.token);
      expect(body.data.viewer.operatorId).toBe(op.operatorId);
    } finally {
      h.statements.counting = false;
    }
    expect(h.statements.sql.filter((sql) => /FROM\s+"?(\w+"?\.)?"?Session"?\s[\s\S]*WHERE\s+(s\.)?"tokenHash"/i.test(sql))).toHaveLength(1);
  });

  it("GraphiQL itself is served", async () => {
    const response = await h.raw({ method: "GET", headers: { accept: "text/html" } });
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Simgate GraphiQL");
  });
});

describe("persisted operations: allow mode (default)", async () => {
  const h = await startHarness();

  it("ad-hoc documents and registered hashes are both accepted; unknown hashes are not", async () => {
    expect(h.app.config.SIMGATE_PERSISTED_OPERATIONS).toBe("allow");
    const op = await signUpByHash(h);
    const adHoc = await post(h, { query: VIEWER }, op.token);
    expect(adHoc.body.data.viewer.operatorId).toBe(op.operatorId);
    const hashed = await post(h, byHash(registered("Viewer")), op.token);
    expect(hashed.body.data.viewer.operatorId).toBe(op.operatorId);
    const anonymous = await post(h, { query: `{ viewer { operatorId } }` });
    expect(anonymous.body.data).toEqual({ viewer: null });
    expect((await post(h, byHash("f".repeat(64)), op.token)).body.errors?.map((e) => e.extensions?.code)).toEqual(["PERSISTED_QUERY_NOT_FOUND"]);
  });
});

describe("persisted operations: off mode", async () => {
  const h = await startHarness({ env: { SIMGATE_PERSISTED_OPERATIONS: "off", SIMGATE_PERSISTED_OPERATIONS_FILE: "/nonexistent/manifest.json" } });

  it("no registry is read; a hash alone names nothing", async () => {
    const { body } = await post(h, byHash(registered("Viewer")));
    expect(body.data).toBeUndefined();
    expect(body.errors?.map((e) => e.message)).toEqual(["Must provide query string."]);
    expect((await post(h, { query: `{ viewer { operatorId } }` })).body.data).toEqual({ viewer: null });
  });
});
