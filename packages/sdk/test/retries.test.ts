// P4: dropped connections and 502/503/504 are retried with backoff; mutations carry one
// Idempotency-Key per call, so a retried mutation whose first response was lost runs once.
// Also the typed errors that only a misbehaving network or server produces.
import { beforeAll, describe, expect, it } from "vitest";
import {
  SimgateIdempotencyError,
  SimgateNetworkError,
  SimgateRateLimitError,
  SimgateServerError,
  type RetryEvent,
} from "../src/index.ts";
import { backoffDelay } from "../src/transport/backoff.ts";
import { operationTypeOf } from "../src/transport/operation-type.ts";
import { ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { startFaultProxy, startTcpDropProxy, type FaultAction } from "./support/proxies.ts";
import { startServer, testRetry, type TestServer } from "./support/server.ts";

let server: TestServer;
let op: TestOperator;

beforeAll(async () => {
  server = await startServer();
  op = await signUp(server);
});

/** An operator client through `url`, recording its retries. */
function viaProxy(url: string, retry: Partial<typeof testRetry> & { mutations?: boolean } = {}) {
  const retries: RetryEvent[] = [];
  const client = server.client({ token: op.token }, { url, retry: { ...testRetry, ...retry, onRetry: (e) => retries.push(e) } });
  return { client, retries };
}

const forward: FaultAction = { kind: "forward" };
/** Fails the first `n` requests named `operation` with `action`, forwards everything else. */
function failFirst(n: number, operation: string, action: FaultAction) {
  let seen = 0;
  return (request: { operationName: string | undefined }) => (request.operationName === operation && ++seen <= n ? action : forward);
}

describe("backoff", () => {
  it("P4: full jitter stays under min(max, base·2^(n-1))", () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy, () => 0.999999))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(3, policy, () => 0)).toBe(0);
  });

  it("reads the operation type of printed documents, fragments first or not", () => {
    expect(operationTypeOf("query Sims {\n  viewer {\n    id\n  }\n}")).toBe("query");
    expect(operationTypeOf("fragment F on Sim {\n  id\n}\n\nmutation M {\n  logout {\n    userErrors {\n      code\n    }\n  }\n}")).toBe("mutation");
    expect(operationTypeOf("{ viewer { id } }")).toBe("query");
    expect(operationTypeOf("not graphql")).toBeUndefined();
  });
});

describe("dropped connections", () => {
  it("P4: a query survives the first two connections being dropped", async () => {
    const proxy = await startTcpDropProxy(server.port, 2);
    const { client, retries } = viaProxy(proxy.url);
    expect((await client.auth.viewer()).operatorId).toBe(op.operatorId);
    expect(retries.map((r) => [r.attempt, r.reason])).toEqual([
      [1, "network"],
      [2, "network"],
    ]);
    expect(new Set(retries.map((r) => r.requestId)).size).toBe(1);
    expect(proxy.connections()).toBe(3);
  });

  it("P4: a mutation is retried too, with its idempotency key", async () => {
    const proxy = await startTcpDropProxy(server.port, 1);
    const { client, retries } = viaProxy(proxy.url);
    const [sim] = await ownSims(server, op, 1);
    expect(ok(await client.sims.update({ simId: sim!.id, name: "dropped-once" })).name).toBe("dropped-once");
    expect(retries).toHaveLength(1);
  });

  it("gives up after maxAttempts with SimgateNetworkError naming the request ID", async () => {
    const proxy = await startTcpDropProxy(server.port, 100);
    const { client, retries } = viaProxy(proxy.url, { maxAttempts: 3 });
    const error = await client.auth.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateNetworkError);
    expect((error as SimgateNetworkError).requestId).toBe(retries[0]!.requestId);
    expect(proxy.connections()).toBe(3);
  });
});

describe("HTTP 502/503/504", () => {
  it("P4: queries are retried through 502, 503 and 504", async () => {
    const statuses = [502, 503, 504];
    const proxy = await startFaultProxy(server.url, (_request, i) => (i < statuses.length ? { kind: "respond", status: statuses[i]!, body: "<html>busy</html>" } : forward));
    const { client, retries } = viaProxy(proxy.url);
    expect((await client.auth.viewer()).id).toBe(op.id);
    expect(retries.map((r) => r.reason)).toEqual(["HTTP 502", "HTTP 503", "HTTP 504"]);
  });

  it("P4: every attempt of one mutation call sends the same Idempotency-Key; each call its own", async () => {
    const proxy = await startFaultProxy(server.url, failFirst(2, "UpdateSim", { kind: "respond", status: 503 }));
    const { client } = viaProxy(proxy.url);
    const [sim] = await ownSims(server, op, 1);
    ok(await client.sims.update({ simId: sim!.id, name: "a" }));
    ok(await client.sims.update({ simId: sim!.id, name: "b" }));
    const keys = proxy.requests.filter((r) => r.operationName === "UpdateSim").map((r) => r.headers["idempotency-key"]);
    expect(keys).toHaveLength(4);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);
    expect(keys.slice(0, 3)).toEqual([keys[0], keys[0], keys[0]]);
    expect(keys[3]).not.toBe(keys[0]);
  });

  it("stops at maxAttempts with SimgateServerError; retry.mutations false sends a mutation once", async () => {
    const proxy = await startFaultProxy(server.url, () => ({ kind: "respond", status: 503, headers: { "x-request-id": "edge-1" } }));
    const error = await viaProxy(proxy.url).client.auth.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateServerError);
    expect(error).toMatchObject({ status: 503, requestId: "edge-1", code: "HTTP_503" });
    expect(proxy.requests).toHaveLength(testRetry.maxAttempts);

    const before = proxy.requests.length;
    const noMutationRetries = viaProxy(proxy.url, { mutations: false }).client;
    await expect(noMutationRetries.auth.logout()).rejects.toBeInstanceOf(SimgateServerError);
    expect(proxy.requests.length - before).toBe(1);
  });
});

describe("idempotent replay of lost mutation responses", () => {
  it("P4, S6: terminateSims whose response is lost is retried and answered from the first run, not run twice", async () => {
    const proxy = await startFaultProxy(server.url, failFirst(1, "TerminateSims", { kind: "lose-response" }));
    const { client, retries } = viaProxy(proxy.url);
    const sims = await ownSims(server, op, 3);
    for (const sim of sims) ok(await op.client.sims.setProtection({ simId: sim.id, enabled: false }));

    const results = ok(await client.sims.terminateMany(sims.map((s) => s.id)));
    // A second run would refuse every SIM with SIM_TERMINATED.
    expect(results.map((r) => [r.sim?.status, r.userErrors])).toEqual(sims.map(() => ["TERMINATED", []]));
    expect(retries.map((r) => r.reason)).toEqual(["network"]);
    const attempts = proxy.requests.filter((r) => r.operationName === "TerminateSims");
    expect(attempts).toHaveLength(2);
    expect(attempts[1]!.headers["idempotency-key"]).toBe(attempts[0]!.headers["idempotency-key"]);
    expect(proxy.upstreamResponses.at(-1)!.headers.get("idempotent-replayed")).toBe("true");
    const audit = await op.client.audit.collect({ filter: { action: "terminateSims" } });
    expect(audit).toHaveLength(1);
    expect(audit[0]!.result).toBe("SUCCEEDED");
  });

  it("P4, T2: issueSimTransfer whose response is lost issues one transfer", async () => {
    const destination = await signUp(server);
    const proxy = await startFaultProxy(server.url, failFirst(1, "IssueSimTransfer", { kind: "lose-response" }));
    const { client } = viaProxy(proxy.url);
    const sims = await ownSims(server, op, 2);
    const transfer = ok(
      await client.transfers.issue({ simIds: sims.map((s) => s.id), destinationOperatorId: destination.operatorId, destinationEmail: destination.email }),
    );
    expect(transfer.status).toBe("PENDING");
    const outgoing = await op.client.transfers.collect({ direction: "OUTGOING" });
    expect(outgoing.map((t) => t.id)).toEqual([transfer.id]);
    expect(await op.client.audit.collect({ filter: { action: "issueSimTransfer" } })).toHaveLength(1);
    expect(await destination.client.transfers.collect({ direction: "INCOMING" })).toHaveLength(1);
  });

  it("P4: IDEMPOTENCY_IN_PROGRESS (409) waits Retry-After and asks again", async () => {
    const inProgress = JSON.stringify({ errors: [{ message: "still running", extensions: { code: "IDEMPOTENCY_IN_PROGRESS" } }] });
    const proxy = await startFaultProxy(server.url, failFirst(1, "UpdateSim", { kind: "respond", status: 409, headers: { "retry-after": "0" }, body: inProgress }));
    const { client, retries } = viaProxy(proxy.url);
    const [sim] = await ownSims(server, op, 1);
    expect(ok(await client.sims.update({ simId: sim!.id, name: "waited" })).name).toBe("waited");
    expect(retries).toMatchObject([{ reason: "IDEMPOTENCY_IN_PROGRESS", delayMs: 0 }]);
  });

  it("P4: OPERATOR_BUSY (429, nothing ran) waits Retry-After and sends the mutation again with its key", async () => {
    const busy = JSON.stringify({ errors: [{ message: "busy", extensions: { code: "OPERATOR_BUSY", retryAfterSeconds: 0 } }] });
    const proxy = await startFaultProxy(server.url, failFirst(2, "UpdateSim", { kind: "respond", status: 429, headers: { "retry-after": "0" }, body: busy }));
    const { client, retries } = viaProxy(proxy.url);
    const [sim] = await ownSims(server, op, 1);
    expect(ok(await client.sims.update({ simId: sim!.id, name: "after busy" })).name).toBe("after busy");
    expect(retries).toMatchObject([{ reason: "OPERATOR_BUSY", delayMs: 0 }, { reason: "OPERATOR_BUSY", delayMs: 0 }]);
  });

  it("IDEMPOTENCY_KEY_REUSED (422) is a SimgateIdempotencyError", async () => {
    const reused = JSON.stringify({ errors: [{ message: "different request", extensions: { code: "IDEMPOTENCY_KEY_REUSED" } }] });
    const proxy = await startFaultProxy(server.url, failFirst(1, "Logout", { kind: "respond", status: 422, body: reused }));
    const error = await viaProxy(proxy.url).client.auth.logout().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateIdempotencyError);
    expect(error).toMatchObject({ code: "IDEMPOTENCY_KEY_REUSED", status: 422 });
  });
});

describe("errors that carry what the server said", () => {
  it("HTTP 429 is a SimgateRateLimitError with Retry-After, not retried", async () => {
    const proxy = await startFaultProxy(server.url, () => ({ kind: "respond", status: 429, headers: { "retry-after": "7", "x-request-id": "rl-1" } }));
    const error = await viaProxy(proxy.url).client.auth.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateRateLimitError);
    expect(error).toMatchObject({ retryAfterSeconds: 7, requestId: "rl-1", status: 429 });
    expect(proxy.requests).toHaveLength(1);
  });

  it("RATE_LIMITED in the GraphQL errors is a SimgateRateLimitError too", async () => {
    const body = JSON.stringify({ errors: [{ message: "slow down", extensions: { code: "RATE_LIMITED" } }] });
    const proxy = await startFaultProxy(server.url, () => ({ kind: "respond", status: 200, headers: { "retry-after": "3" }, body }));
    await expect(viaProxy(proxy.url).client.sims.get("440100000000000")).rejects.toMatchObject({ name: "SimgateRateLimitError", retryAfterSeconds: 3 });
  });

  it("a masked INTERNAL_SERVER_ERROR is a SimgateServerError with its requestId", async () => {
    const body = JSON.stringify({ data: null, errors: [{ message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "req-42" } }] });
    const proxy = await startFaultProxy(server.url, () => ({ kind: "respond", status: 200, body }));
    const error = await viaProxy(proxy.url).client.sims.get("440100000000000").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateServerError);
    expect(error).toMatchObject({ requestId: "req-42", code: "INTERNAL_SERVER_ERROR", message: "Unexpected error." });
  });

  it("an HTML 500 is a SimgateServerError, not retried", async () => {
    const proxy = await startFaultProxy(server.url, () => ({ kind: "respond", status: 500, headers: { "content-type": "text/html" }, body: "<h1>oops</h1>" }));
    await expect(viaProxy(proxy.url).client.auth.viewer()).rejects.toMatchObject({ name: "SimgateServerError", status: 500 });
    expect(proxy.requests).toHaveLength(1);
  });
});
