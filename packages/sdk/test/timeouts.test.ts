// Every call is bounded: `timeoutMs` per attempt (the client's default, or the call's own), retried
// like a dropped connection where retries are safe, and the call's `signal` ends it at once, never
// retried. Against a server that accepts requests and never answers.
import { beforeAll, describe, expect, it } from "vitest";
import {
  createSimgateClient,
  DEFAULT_TIMEOUT_MS,
  SimgateAbortError,
  SimgateError,
  SimgateNetworkError,
  SimgateTimeoutError,
  type RetryEvent,
} from "../src/index.ts";
import { ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { startFaultProxy, startSilentServer, type SilentServer } from "./support/proxies.ts";
import { startServer, testRetry, type TestServer } from "./support/server.ts";

let server: TestServer;
let op: TestOperator;
/** Long enough for a request to reach a loopback server on a busy machine, short enough to keep tests quick. */
const SHORT = 200;

beforeAll(async () => {
  server = await startServer();
  op = await signUp(server);
});

/** A client of a fresh silent server, recording its retries. */
async function silentClient(options: { timeoutMs?: number; retry?: Partial<typeof testRetry> & { mutations?: boolean } } = {}) {
  const silent = await startSilentServer();
  const retries: RetryEvent[] = [];
  const client = createSimgateClient(
    { url: silent.url, token: op.token },
    { timeoutMs: options.timeoutMs, retry: { ...testRetry, ...options.retry, onRetry: (e) => retries.push(e) } },
  );
  return { silent, client, retries };
}

/** Resolves once `silent` has received `count` requests. */
async function received(silent: SilentServer, count: number): Promise<void> {
  while (silent.requests.length < count) await new Promise((resolve) => setTimeout(resolve, 5));
}

describe("timeouts", () => {
  it("the client's default is 30 s per attempt", () => {
    expect(DEFAULT_TIMEOUT_MS).toBe(30_000);
  });

  it("P4: a query to a server that never answers times out per attempt, is retried, then throws SimgateTimeoutError naming its request", async () => {
    const { silent, client, retries } = await silentClient();
    const error = await client.auth.viewer({ timeoutMs: SHORT }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateTimeoutError);
    expect(error).toBeInstanceOf(SimgateNetworkError);
    expect(error).toMatchObject({ code: "TIMEOUT", status: undefined });
    expect((error as Error).message).toMatch(/within 200 ms \(attempt 4 of 4\)/);
    expect(silent.requests).toHaveLength(testRetry.maxAttempts);
    expect(retries.map((r) => r.reason)).toEqual(["timeout", "timeout", "timeout"]);
    const ids = new Set(silent.requests.map((h) => h["x-request-id"]));
    expect([...ids]).toEqual([(error as SimgateError).requestId]);
  });

  it("the client's timeoutMs applies to calls that give none, and each timed-out attempt's connection is closed", async () => {
    const { silent, client } = await silentClient({ timeoutMs: SHORT, retry: { maxAttempts: 2 } });
    await expect(client.sims.get("440100000000000")).rejects.toMatchObject({ name: "SimgateTimeoutError", code: "TIMEOUT" });
    expect(silent.requests).toHaveLength(2);
    await Promise.all([silent.closed(0), silent.closed(1)]);
  });

  it("P4: a timed-out mutation is retried with the same Idempotency-Key; with retry.mutations false it is sent once", async () => {
    const keyed = await silentClient({ timeoutMs: SHORT });
    await expect(keyed.client.sims.update({ simId: "U2ltOjE", name: "x" })).rejects.toBeInstanceOf(SimgateTimeoutError);
    const keys = keyed.silent.requests.map((h) => h["idempotency-key"]);
    expect(keys).toHaveLength(testRetry.maxAttempts);
    expect(new Set(keys).size).toBe(1);
    expect(keys[0]).toMatch(/^[0-9a-f-]{36}$/);

    const once = await silentClient({ timeoutMs: SHORT, retry: { mutations: false } });
    const error = await once.client.auth.logout().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateTimeoutError);
    expect((error as Error).message).toMatch(/attempt 1 of 1\)\. The mutation may have run\./);
    expect(once.silent.requests).toHaveLength(1);
    expect(once.retries).toEqual([]);
  });

  it("list, iterate and collect take the options too, for every page", async () => {
    const { silent, client } = await silentClient({ retry: { maxAttempts: 1 } });
    await expect(client.sims.list({ first: 5 }, { timeoutMs: SHORT })).rejects.toBeInstanceOf(SimgateTimeoutError);
    await expect(client.audit.collect({ limit: 5 }, { timeoutMs: SHORT })).rejects.toBeInstanceOf(SimgateTimeoutError);
    const iterator = client.transfers.iterate({ direction: "INCOMING" }, { timeoutMs: SHORT });
    await expect(iterator.next()).rejects.toBeInstanceOf(SimgateTimeoutError);
    expect(silent.requests).toHaveLength(3);
  });

  it("a call within its timeout answers as usual", async () => {
    const [sim] = await ownSims(server, op, 1);
    expect(ok(await op.client.sims.update({ simId: sim!.id, name: "in-time" }, { timeoutMs: 10_000 })).name).toBe("in-time");
    expect((await op.client.sims.list({ first: 1 }, { timeoutMs: 10_000 })).totalCount).toBe(1);
  });

  it("rejects a timeout that is not a positive number", async () => {
    expect(() => createSimgateClient({ url: server.url }, { timeoutMs: 0 })).toThrow(RangeError);
    expect(() => createSimgateClient({ url: server.url }, { timeoutMs: Number.NaN })).toThrow(RangeError);
    await expect(op.client.auth.viewer({ timeoutMs: -1 })).rejects.toThrow(RangeError);
    expect((await op.client.auth.viewer({ timeoutMs: Infinity })).operatorId).toBe(op.operatorId);
  });
});

describe("abort signals", () => {
  it("an aborted call throws SimgateAbortError at once, is not retried, and its connection is closed", async () => {
    const { silent, client, retries } = await silentClient({ timeoutMs: Infinity });
    const controller = new AbortController();
    const call = client.auth.viewer({ signal: controller.signal }).catch((e: unknown) => e);
    await received(silent, 1);
    controller.abort();
    const error = await call;
    expect(error).toBeInstanceOf(SimgateAbortError);
    expect(error).toBeInstanceOf(SimgateError);
    expect(error).toMatchObject({ name: "AbortError", code: "ABORTED", requestId: silent.requests[0]!["x-request-id"] });
    expect((error as Error).cause).toBe(controller.signal.reason);
    await silent.closed(0);
    expect(silent.requests).toHaveLength(1);
    expect(retries).toEqual([]);
  });

  it("an already-aborted signal sends nothing", async () => {
    const { silent, client } = await silentClient();
    const reason = new Error("user left the page");
    await expect(client.sims.terminate("U2ltOjE", { signal: AbortSignal.abort(reason) })).rejects.toMatchObject({ code: "ABORTED", cause: reason });
    expect(silent.requests).toHaveLength(0);
  });

  it("AbortSignal.timeout bounds the whole call and throws SimgateTimeoutError, retries included", async () => {
    const { client, retries } = await silentClient({ timeoutMs: 50, retry: { maxAttempts: 1_000, baseDelayMs: 1, maxDelayMs: 1 } });
    const error = await client.auth.viewer({ signal: AbortSignal.timeout(400) }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateTimeoutError);
    expect(error).toMatchObject({ code: "TIMEOUT", cause: expect.objectContaining({ name: "TimeoutError" }) });
    // Attempts timed out and were retried until the signal ended the call.
    expect(retries.length).toBeGreaterThan(0);
    expect(retries.length).toBeLessThan(999);
  });

  it("aborting during the wait before a retry ends the call without another attempt", async () => {
    const proxy = await startFaultProxy(server.url, () => ({ kind: "respond", status: 503 }));
    const controller = new AbortController();
    const client = server.client(
      { token: op.token },
      { url: proxy.url, retry: { maxAttempts: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, onRetry: () => controller.abort() } },
    );
    await expect(client.sims.list({ first: 1 }, { signal: controller.signal })).rejects.toBeInstanceOf(SimgateAbortError);
    expect(proxy.requests).toHaveLength(1);
  });

  it("a call queued behind an auth-key sign-in that never answers is aborted too", async () => {
    const silent = await startSilentServer();
    const client = createSimgateClient({ url: silent.url, authKey: { id: "keyId-000000000000000000000000", secret: "secret-x" } }, { timeoutMs: Infinity });
    const controller = new AbortController();
    const call = client.sims.list({ first: 1 }, { signal: controller.signal }).catch((e: unknown) => e);
    await received(silent, 1);
    controller.abort();
    expect(await call).toBeInstanceOf(SimgateAbortError);
    // The sign-in was the only request: the listing never left.
    expect(silent.requests).toHaveLength(1);
  });
});
