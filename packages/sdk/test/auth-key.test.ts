// O3 with an auth key: the client signs in by itself, refreshes before expiry and once on
// UNAUTHENTICATED, and concurrent calls share one refresh.
import { beforeAll, describe, expect, it } from "vitest";
import { SimgateAuthenticationError, type FetchFunction } from "../src/index.ts";
import { ok, signUp, type TestOperator } from "./support/fixtures.ts";
import { startServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let op: TestOperator;
let key: { id: string; secret: string };

beforeAll(async () => {
  server = await startServer();
  op = await signUp(server);
  const created = ok(await op.client.auth.createAuthKey());
  key = { id: created.authKeyId, secret: created.authKey };
});

/** An auth-key client whose requests are logged and whose clock the test moves. */
function machineClient(auth: { tokenTimeoutSeconds?: number; refreshMarginSeconds?: number } = {}) {
  const log: { operation: string; authorization: string | null; codes: string[] }[] = [];
  let offsetMs = 0;
  const recordingFetch: FetchFunction = async (input, init) => {
    const response = await fetch(input, init);
    const body = (await response.clone().json()) as { errors?: { extensions?: { code?: string } }[]; data?: { viewer?: unknown } };
    log.push({
      operation: (JSON.parse(String(init?.body)) as { operationName: string }).operationName,
      authorization: new Headers(init?.headers).get("authorization"),
      codes: (body.errors ?? []).map((e) => e.extensions?.code ?? "?").concat(body.data && body.data.viewer === null ? ["NULL_VIEWER"] : []),
    });
    return response;
  };
  const client = server.client({ authKey: key }, { fetch: recordingFetch, auth: { ...auth, now: () => Date.now() + offsetMs } });
  return {
    client,
    log,
    advance: (ms: number) => (offsetMs += ms),
    signIns: () => log.filter((l) => l.operation === "Authenticate").length,
  };
}

describe("auth key", () => {
  it("O3: signs in lazily on the first call and reuses the token", async () => {
    const m = machineClient();
    expect(m.log).toEqual([]);
    expect((await m.client.auth.viewer()).operatorId).toBe(op.operatorId);
    await m.client.sims.list({ first: 1 });
    expect(m.log.map((l) => l.operation)).toEqual(["Authenticate", "Viewer", "Sims"]);
    expect(m.log[1]!.authorization).toMatch(/^Bearer \S+$/);
    expect(m.log[2]!.authorization).toBe(m.log[1]!.authorization);
    const audit = await op.client.audit.collect({ filter: { action: "authenticate" } });
    expect(audit[0]!.actor).toBe(`authKey:${key.id}`);
  });

  it("O3: refreshes shortly before the token expires, never sending an expired token", async () => {
    const m = machineClient({ tokenTimeoutSeconds: 600 }); // refresh margin: 60 s
    await m.client.auth.viewer();
    m.advance(530_000);
    await m.client.auth.viewer();
    expect(m.signIns()).toBe(1);
    m.advance(15_000); // 545 s: inside the margin, still valid on the server
    await m.client.auth.viewer();
    expect(m.log.map((l) => l.operation)).toEqual(["Authenticate", "Viewer", "Viewer", "Authenticate", "Viewer"]);
    expect(m.log[4]!.authorization).not.toBe(m.log[2]!.authorization);
    expect(m.log.flatMap((l) => l.codes)).toEqual([]);
  });

  it("O3: twenty concurrent calls with a token due for refresh share one refresh", async () => {
    const m = machineClient({ tokenTimeoutSeconds: 600 });
    await m.client.auth.viewer();
    m.advance(590_000);
    const calls = Array.from({ length: 20 }, (_, i) => (i % 2 ? m.client.auth.viewer() : m.client.sims.get(`4401000000${String(i).padStart(5, "0")}`)));
    await Promise.all(calls);
    expect(m.signIns()).toBe(2);
    const tokens = new Set(m.log.slice(2).filter((l) => l.operation !== "Authenticate").map((l) => l.authorization));
    expect(tokens.size).toBe(1);
  });

  it("O3: a revoked token is replaced once on UNAUTHENTICATED, and concurrent failures share the refresh", async () => {
    const m = machineClient();
    await m.client.auth.viewer();
    ok(await m.client.auth.logout());
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => (i % 2 ? m.client.auth.viewer() : m.client.sims.list({ first: 1 }))));
    expect(results).toHaveLength(10);
    expect(m.signIns()).toBe(2);
    // The first answers were refusals of the revoked token; every replay then succeeded.
    const failed = m.log.filter((l) => l.codes.length > 0);
    expect(failed.length).toBeGreaterThanOrEqual(1);
    expect(failed.every((l) => l.codes.every((c) => c === "UNAUTHENTICATED" || c === "NULL_VIEWER"))).toBe(true);
  });

  it("O3: a real expiry: a two-second token is refreshed (at 1.5 s) before the next call", async () => {
    const m = machineClient({ tokenTimeoutSeconds: 2 });
    await m.client.auth.viewer();
    await new Promise((resolve) => setTimeout(resolve, 1_600));
    await m.client.auth.viewer();
    expect(m.signIns()).toBe(2);
    expect(m.log.flatMap((l) => l.codes)).toEqual([]);
  });

  it("O3: a wrong secret throws SimgateAuthenticationError with CREDENTIALS_INVALID", async () => {
    const client = server.client({ authKey: { id: key.id, secret: "wrong" } });
    const error = await client.auth.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateAuthenticationError);
    expect((error as SimgateAuthenticationError).code).toBe("CREDENTIALS_INVALID");
  });
});
