// In a browser, a CORS refusal and a dead network look the same to fetch (a bare TypeError). The
// SDK tells them apart with a no-cors probe: a refusal throws SimgateCorsError at once, naming
// SIMGATE_CORS_ORIGINS, and is not retried; a network failure is retried as before. Node has no page
// origin, so none of this applies there. A fake browser: globalThis.location and a fetch that
// refuses cross-origin requests the way browsers do.
import { afterEach, describe, expect, it, vi } from "vitest";
import { createSimgateClient, SimgateCorsError, SimgateNetworkError, type RetryEvent } from "../src/index.ts";
import { crossOriginPage } from "../src/transport/cors.ts";
import { testRetry } from "./support/server.ts";

const PAGE = "https://console.example.com";
const API = "https://api.example.net/graphql";

interface Sent {
  url: string;
  mode: RequestMode | undefined;
  method: string | undefined;
}

/** A browser-like fetch: `serverUp` decides whether no-cors requests get an (opaque) answer. */
function browserFetch(serverUp: boolean) {
  const sent: Sent[] = [];
  const fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = String(input);
    sent.push({ url, mode: init?.mode, method: init?.method });
    if (!serverUp) throw new TypeError("Failed to fetch");
    if (init?.mode === "no-cors") return new Response(null, { status: 200 });
    throw new TypeError("Failed to fetch");
  };
  return { fetch, sent };
}

function inBrowserAt(origin: string) {
  vi.stubGlobal("location", { origin, href: `${origin}/sims` });
}

afterEach(() => {
  vi.unstubAllGlobals();
});

function client(url: string, fetch: ReturnType<typeof browserFetch>["fetch"]) {
  const retries: RetryEvent[] = [];
  return { retries, simgate: createSimgateClient({ url, token: "sgt_x" }, { fetch, retry: { ...testRetry, onRetry: (e) => retries.push(e) } }) };
}

describe("CORS refusals in browsers", () => {
  it("a TypeError from a cross-origin page whose server answers no-cors is a SimgateCorsError, not retried", async () => {
    inBrowserAt(PAGE);
    const browser = browserFetch(true);
    const { simgate, retries } = client(API, browser.fetch);
    const error = await simgate.sims.list({ first: 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateCorsError);
    expect(error).toBeInstanceOf(SimgateNetworkError);
    expect(error).toMatchObject({ code: "CORS", status: undefined, requestId: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect((error as Error).message).toContain("SIMGATE_CORS_ORIGINS");
    expect((error as Error).message).toContain(PAGE);
    expect((error as Error).message).toContain("https://api.example.net");
    expect((error as Error).cause).toBeInstanceOf(TypeError);
    expect(retries).toEqual([]);
    expect(browser.sent).toEqual([
      { url: API, mode: undefined, method: "POST" },
      { url: API, mode: "no-cors", method: "HEAD" },
    ]);
  });

  it("mutations too: refused once, never resent", async () => {
    inBrowserAt(PAGE);
    const browser = browserFetch(true);
    await expect(client(API, browser.fetch).simgate.auth.logout()).rejects.toBeInstanceOf(SimgateCorsError);
    expect(browser.sent.filter((s) => s.mode !== "no-cors")).toHaveLength(1);
  });

  it("P4: when the no-cors probe fails too, the network is down: retried, then SimgateNetworkError", async () => {
    inBrowserAt(PAGE);
    const browser = browserFetch(false);
    const { simgate, retries } = client(API, browser.fetch);
    const error = await simgate.auth.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateNetworkError);
    expect(error).not.toBeInstanceOf(SimgateCorsError);
    expect(error).toMatchObject({ code: "NETWORK_ERROR" });
    expect(retries.map((r) => r.reason)).toEqual(["network", "network", "network"]);
    expect(browser.sent.filter((s) => s.mode !== "no-cors")).toHaveLength(testRetry.maxAttempts);
  });

  it("same-origin pages and Node send no probe: a TypeError is a network failure there", async () => {
    inBrowserAt("https://api.example.net");
    const sameOrigin = browserFetch(true);
    await expect(client(API, sameOrigin.fetch).simgate.auth.viewer()).rejects.toMatchObject({ name: "SimgateNetworkError", code: "NETWORK_ERROR" });
    expect(sameOrigin.sent.every((s) => s.mode !== "no-cors")).toBe(true);

    vi.unstubAllGlobals();
    expect(globalThis.location).toBeUndefined();
    const node = browserFetch(true);
    await expect(client(API, node.fetch).simgate.auth.viewer()).rejects.toMatchObject({ name: "SimgateNetworkError" });
    expect(node.sent).toHaveLength(testRetry.maxAttempts);
    expect(node.sent.every((s) => s.mode !== "no-cors")).toBe(true);
  });

  it("cross-origin means a different scheme, host or port than the page; relative URLs are the page's", () => {
    inBrowserAt(PAGE);
    expect(crossOriginPage("/graphql")).toBeUndefined();
    expect(crossOriginPage(`${PAGE}/graphql`)).toBeUndefined();
    expect(crossOriginPage("https://console.example.com:8443/graphql")).toBe(PAGE);
    expect(crossOriginPage("http://console.example.com/graphql")).toBe(PAGE);
    expect(crossOriginPage(API)).toBe(PAGE);
  });
});
