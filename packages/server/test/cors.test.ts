// Browser access (SECURITY.md): only configured origins get CORS headers; the headers
// browser clients need for auth, retries and tracing are allowed, and they can read the request ID
// and Retry-After. No credentials: auth is a bearer token.
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { startHarness } from "./support/harness.ts";

const ALLOWED = "https://console.example.com";
const h = await startHarness({ env: { SIMGATE_CORS_ORIGINS: `${ALLOWED}, http://localhost:5173` } });
const preflight = (origin: string) =>
  h.raw({ method: "OPTIONS", headers: { origin, "access-control-request-method": "POST", "access-control-request-headers": "authorization, content-type, idempotency-key, x-request-id" } });

describe("CORS", () => {
  it("a listed origin's preflight allows POST with authorization, idempotency-key and x-request-id", async () => {
    const res = await preflight(ALLOWED);
    expect(res.status).toBeLessThan(300);
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const allowed = (res.headers.get("access-control-allow-headers") ?? "").toLowerCase();
    for (const header of ["authorization", "content-type", "idempotency-key", "x-request-id"]) expect(allowed).toContain(header);
    expect(res.headers.get("access-control-allow-methods")).toContain("POST");
    expect(res.headers.get("access-control-allow-credentials")).not.toBe("true");
  });

  it("a listed origin's request may read x-request-id and retry-after", async () => {
    const res = await h.raw({ body: { query: "{ __typename }" }, headers: { origin: ALLOWED } });
    expect(res.headers.get("access-control-allow-origin")).toBe(ALLOWED);
    const exposed = (res.headers.get("access-control-expose-headers") ?? "").toLowerCase();
    expect(exposed).toContain("x-request-id");
    expect(exposed).toContain("retry-after");
  });

  it("another origin gets no permission", async () => {
    for (const res of [await preflight("https://evil.example.net"), await h.raw({ body: { query: "{ __typename }" }, headers: { origin: "https://evil.example.net" } })]) {
      // Yoga answers "null" (no origin matches) to an origin not listed.
      expect([null, "null"]).toContain(res.headers.get("access-control-allow-origin"));
      expect(res.headers.get("access-control-allow-origin")).not.toBe("https://evil.example.net");
      expect(res.headers.get("access-control-allow-origin")).not.toBe("*");
    }
  });
});

describe("CORS configuration", () => {
  it("is off unless origins are listed, and malformed origins are refused at start", () => {
    expect(loadConfig({}).SIMGATE_CORS_ORIGINS).toEqual([]);
    expect(() => loadConfig({ SIMGATE_CORS_ORIGINS: "https://ok.example, not an origin" })).toThrow(/SIMGATE_CORS_ORIGINS/);
    expect(() => loadConfig({ SIMGATE_CORS_ORIGINS: "https://ok.example/path" })).toThrow(/no path/);
  });
});

describe("CORS off by default", async () => {
  const plain = await startHarness();
  it("sends no CORS headers when no origin is configured", async () => {
    const res = await plain.raw({ body: { query: "{ __typename }" }, headers: { origin: ALLOWED } });
    expect(res.headers.get("access-control-allow-origin")).toBeNull();
  });
});

describe("CSRF", () => {
  it("a mutation sent as GET is not executed", async () => {
    const query = encodeURIComponent(`mutation { signUp(input: { name: "x", email: "get@example.com", password: "password-1" }) { userErrors { code } } }`);
    const res = await h.raw({ method: "GET", path: `/graphql?query=${query}`, headers: { accept: "application/json" } });
    expect(res.status).toBe(405);
    expect(await h.app.db.emailAddress.count({ where: { address: "get@example.com" } })).toBe(0);
  });
});
