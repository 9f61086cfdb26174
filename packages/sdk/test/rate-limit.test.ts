// Rate limiting from the integrator's side: a real server with its default rate limits (10
// sign-in attempts per IP and per account a minute). RATE_LIMITED / HTTP 429 reaches the caller
// as SimgateRateLimitError with the server's retryAfterSeconds, and sign-in is never retried.
import { beforeAll, describe, expect, it } from "vitest";
import { SimgateRateLimitError, type FetchFunction } from "../src/index.ts";
import { ok, signUp, type TestOperator } from "./support/fixtures.ts";
import { startServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let op: TestOperator;
let key: { id: string; secret: string };

beforeAll(async () => {
  server = await startServer({
    env: { SIMGATE_RATE_LIMIT_PER_IP: "10", SIMGATE_RATE_LIMIT_PER_ACCOUNT: "10", SIMGATE_RATE_LIMIT_PER_CLIENT: "600", SIMGATE_RATE_LIMIT_WINDOW_SECONDS: "60" },
  });
  op = await signUp(server);
  const created = ok(await op.client.auth.createAuthKey());
  key = { id: created.authKeyId, secret: created.authKey };
});

/** A fetch that counts the requests per operation name. */
function countingFetch() {
  const sent: string[] = [];
  const fetchFn: FetchFunction = async (input, init) => {
    sent.push((JSON.parse(String(init?.body)) as { operationName?: string }).operationName ?? "?");
    return fetch(input, init);
  };
  return { sent, fetchFn };
}

describe("2: rate limits through the SDK", () => {
  it("the 11th sign-in attempt is a SimgateRateLimitError with retryAfterSeconds, even with the right password, sent once", async () => {
    const { sent, fetchFn } = countingFetch();
    const client = server.client({}, { fetch: fetchFn });
    for (let i = 0; i < 10; i += 1) {
      const refused = await client.auth.authenticate({ email: op.email, password: `wrong ${i}` });
      expect(refused.ok).toBe(false);
    }
    const error = await client.auth.authenticate({ email: op.email, password: op.password }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateRateLimitError);
    const limited = error as SimgateRateLimitError;
    expect(limited).toMatchObject({ code: "RATE_LIMITED", status: 429 });
    expect(limited.retryAfterSeconds).toBeGreaterThanOrEqual(1);
    expect(limited.retryAfterSeconds).toBeLessThanOrEqual(60);
    expect(limited.message).toMatch(/Too many requests/);
    expect(limited.requestId).toEqual(expect.any(String));
    expect(sent.filter((name) => name === "Authenticate")).toHaveLength(11);
  });

  it("an auth-key client whose sign-in is rate limited fails with SimgateRateLimitError and does not retry it", async () => {
    // The address (127.0.0.1) has used its ten `authenticate`s in the test above.
    const { sent, fetchFn } = countingFetch();
    const machine = server.client({ authKey: key }, { fetch: fetchFn });
    await expect(machine.auth.viewer()).rejects.toBeInstanceOf(SimgateRateLimitError);
    expect(sent.filter((name) => name === "Authenticate")).toHaveLength(1);
    expect(sent).not.toContain("Viewer");
  });
});
