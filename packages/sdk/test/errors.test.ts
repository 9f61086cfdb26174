// Every SimgateError carries a code from one closed union (the server's extensions.code values and
// the SDK's own), and every error that came with a response names its request ID and HTTP status.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, expectTypeOf, it } from "vitest";
import {
  SERVER_ERROR_CODES,
  SimgateAuthenticationError,
  SimgateRateLimitError,
  SimgateRequestError,
  SimgateServerError,
  type SimgateErrorCode,
  type UserError,
  type UserErrorCode,
} from "../src/index.ts";
import { ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { startFaultProxy } from "./support/proxies.ts";
import { startServer, testRetry, type TestServer } from "./support/server.ts";

const packagesDir = new URL("../..", import.meta.url).pathname;

function tsFilesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? tsFilesUnder(path) : path.endsWith(".ts") ? [path] : [];
  });
}

/** UserErrorCode values of the contract: they travel in payloads, not as extensions.code. */
function userErrorCodes(): Set<string> {
  const schema = readFileSync(join(packagesDir, "schema", "schema.graphql"), "utf8");
  const body = /enum UserErrorCode \{([^}]*)\}/.exec(schema)![1]!;
  return new Set(body.split(/\s+/).filter((word) => /^[A-Z][A-Z0-9_]*$/.test(word)));
}

let server: TestServer;
let op: TestOperator;

beforeAll(async () => {
  server = await startServer();
  op = await signUp(server);
});

describe("error codes", () => {
  it("every code the server's sources can send as extensions.code is one the SDK types", () => {
    const known = new Set<string>(SERVER_ERROR_CODES);
    const userCodes = userErrorCodes();
    const missing = new Set<string>();
    // The server answers request-level refusals itself: any SCREAMING_CASE literal there is a code,
    // except environment variable names.
    for (const file of tsFilesUnder(join(packagesDir, "server", "src"))) {
      for (const [, literal] of readFileSync(file, "utf8").matchAll(/["'`]([A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)["'`]/g)) {
        if (/^(SIMGATE_|NODE_ENV$|DATABASE_URL$|LOG_LEVEL$)/.test(literal!) || known.has(literal!)) continue;
        missing.add(`${literal} (${file.slice(packagesDir.length)})`);
      }
    }
    // The schema throws GraphQL errors with `code: "…"`; domain refusals there use UserErrorCode.
    for (const file of tsFilesUnder(join(packagesDir, "schema", "src"))) {
      for (const [, literal] of readFileSync(file, "utf8").matchAll(/\bcode: ["']([A-Z][A-Z0-9_]+)["']/g)) {
        if (known.has(literal!) || userCodes.has(literal!)) continue;
        missing.add(`${literal} (${file.slice(packagesDir.length)})`);
      }
    }
    expect([...missing]).toEqual([]);
  });

  it("SimgateError.code and UserError.code are closed string unions", () => {
    expectTypeOf<UserError["code"]>().toEqualTypeOf<UserErrorCode>();
    expectTypeOf<"QUERY_COST_EXCEEDED">().toExtend<SimgateErrorCode>();
    expectTypeOf<"TIMEOUT" | "CORS" | "ABORTED" | "NETWORK_ERROR" | "HTTP_502">().toExtend<SimgateErrorCode>();
    // @ts-expect-error a code no server sends is not a SimgateErrorCode
    const typo: SimgateErrorCode = "RATE_LIMIT";
    expect(typo).toBe("RATE_LIMIT");
  });
});

describe("request ID and HTTP status on every error with a response", () => {
  it("a request-level refusal: code, 400 and the server's request ID", async () => {
    const error = await op.client.sims.list({ first: 101 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateRequestError);
    expect(error).toMatchObject({ code: "CONNECTION_LIMIT_EXCEEDED", status: 400, requestId: expect.any(String) });
  });

  it("a call without a valid token (the schema answers viewer: null with 200) is UNAUTHENTICATED with status and request ID", async () => {
    const proxy = await startFaultProxy(server.url, () => ({ kind: "forward" }));
    const error = await server.client({ token: "sgt_not-a-token" }, { url: proxy.url }).emails.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateAuthenticationError);
    expect(error).toMatchObject({ code: "UNAUTHENTICATED", status: 200 });
    expect((error as SimgateAuthenticationError).requestId).toBe(proxy.upstreamResponses[0]!.headers.get("x-request-id"));
  });

  it("a refused auth key: CREDENTIALS_INVALID with the sign-in's status and request ID", async () => {
    const error = await server.client({ authKey: { id: "keyId-000000000000000000000000", secret: "secret-wrong" } }).auth.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateAuthenticationError);
    expect(error).toMatchObject({ code: "CREDENTIALS_INVALID", status: 200, requestId: expect.any(String) });
  });

  it("a success answer without the promised object is INVALID_RESPONSE, naming the response", async () => {
    const body = JSON.stringify({ data: { updateSim: { sim: null, userErrors: [] } } });
    const proxy = await startFaultProxy(server.url, () => ({ kind: "respond", status: 200, headers: { "x-request-id": "edge-7" }, body }));
    const [sim] = await ownSims(server, op, 1);
    const error = await server.client({ token: op.token }, { url: proxy.url }).sims.update({ simId: sim!.id, name: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateServerError);
    expect(error).toMatchObject({ code: "INVALID_RESPONSE", status: 200, requestId: "edge-7" });
  });

  it("a proxy's non-GraphQL 4xx is HTTP_<status> with that status", async () => {
    const proxy = await startFaultProxy(server.url, () => ({ kind: "respond", status: 404, headers: { "content-type": "text/html", "x-request-id": "edge-8" }, body: "<h1>no</h1>" }));
    const error = await server.client({ token: op.token }, { url: proxy.url }).auth.viewer().catch((e: unknown) => e);
    expect(error).toMatchObject({ code: "HTTP_404", status: 404, requestId: "edge-8" });
  });

  it("OPERATOR_BUSY (429) is a SimgateRateLimitError that keeps its code and wait", async () => {
    const busy = JSON.stringify({ errors: [{ message: "busy", extensions: { code: "OPERATOR_BUSY", retryAfterSeconds: 1 } }] });
    const proxy = await startFaultProxy(server.url, () => ({ kind: "respond", status: 429, headers: { "retry-after": "1", "x-request-id": "edge-9" }, body: busy }));
    const error = await server.client({ token: op.token }, { url: proxy.url }).auth.logout().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateRateLimitError);
    expect(error).toMatchObject({ code: "OPERATOR_BUSY", status: 429, retryAfterSeconds: 1, requestId: "edge-9" });
  });

  it("a code this SDK does not know is UNKNOWN_ERROR; the raw code stays in errors", async () => {
    const body = JSON.stringify({ errors: [{ message: "new rule", extensions: { code: "SOMETHING_NEW" } }] });
    const proxy = await startFaultProxy(server.url, () => ({ kind: "respond", status: 400, body }));
    const error = await server.client({ token: op.token }, { url: proxy.url, retry: testRetry }).auth.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateRequestError);
    expect(error).toMatchObject({ code: "UNKNOWN_ERROR", status: 400, errors: [{ extensions: { code: "SOMETHING_NEW" } }] });
  });

  it("domain refusals stay data with the contract's codes", async () => {
    const [sim] = await ownSims(server, op, 1);
    const refused = await op.client.sims.terminate(sim!.id);
    expect(refused).toMatchObject({ ok: false, userErrors: [{ code: "TERMINATION_PROTECTED" }] });
    ok(await op.client.sims.setProtection({ simId: sim!.id, enabled: false }));
  });
});
