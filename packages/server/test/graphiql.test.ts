// GraphiQL as served to browsers: every asset in the page (nothing from a CDN), under a
// Content-Security-Policy that allows only this server. graphiql-browser.test.ts drives the page in Chromium.
import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { startHarness } from "./support/harness.ts";

const h = await startHarness();

/** The executable inline scripts (not data blocks, not src= scripts), as the browser hashes them. */
function inlineScripts(html: string): string[] {
  return [...html.matchAll(/<script(\s[^>]*)?>([\s\S]*?)<\/script>/g)]
    .filter(([, attributes = ""]) => !/\b(type|src)\s*=/.test(attributes))
    .map(([, , source]) => source!);
}

function directives(policy: string): Map<string, string[]> {
  return new Map(policy.split(";").map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

async function graphiqlPage() {
  const response = await h.raw({ method: "GET", headers: { accept: "text/html" } });
  expect(response.status).toBe(200);
  expect(response.headers.get("content-type")).toMatch(/^text\/html/);
  return { response, html: await response.text() };
}

describe("GraphiQL page", () => {
  it("carries its script, styles and editor workers itself: no URL outside the server is loaded", async () => {
    const { html } = await graphiqlPage();
    expect(html).toContain("<title>Simgate GraphiQL</title>");
    // Attributes of the markup (script and style bodies aside) that make a browser fetch something:
    // only data: URLs (the favicon) may appear.
    const markup = html.replace(/<(script|style)([^>]*)>[\s\S]*?<\/\1>/g, "<$1$2></$1>");
    const fetched = [...markup.matchAll(/\b(?:src|href)\s*=\s*["']([^"']*)["']/g)].map((m) => m[1]);
    expect(fetched.filter((url) => !url!.startsWith("data:"))).toEqual([]);
    expect(html).not.toMatch(/unpkg\.com|cdn\.jsdelivr/);
    expect(inlineScripts(html).join("")).toContain("renderYogaGraphiQL(");
  });

  it("has a Content-Security-Policy allowing only this server, and its one inline script by hash", async () => {
    const { response, html } = await graphiqlPage();
    const policy = response.headers.get("content-security-policy");
    expect(policy).toBeTruthy();
    const d = directives(policy!);
    expect(d.get("default-src")).toEqual(["'self'"]);
    expect(d.get("connect-src")).toEqual(["'self'"]);
    expect(d.get("object-src")).toEqual(["'none'"]);
    expect(d.get("frame-ancestors")).toEqual(["'none'"]);
    // Every directive names this server, data:/blob: (bundled assets) or keywords: no other origin.
    for (const [, values] of d) for (const v of values) expect(v).toMatch(/^('[^']+'|data:|blob:)$/);
    // Scripts: exactly the page's inline script, by hash; no 'unsafe-inline' or 'unsafe-eval'.
    const scripts = inlineScripts(html);
    expect(scripts).toHaveLength(1);
    const hash = createHash("sha256").update(scripts[0]!, "utf8").digest("base64");
    expect(d.get("script-src")).toEqual([`'sha256-${hash}'`]);
  });

  it("keeps the page's options out of the hashed script, in a data block the script reads", async () => {
    const { html } = await graphiqlPage();
    const block = /<script type="application\/json" id="graphiql-options">([^<]*)<\/script>/.exec(html);
    expect(JSON.parse(block![1]!)).toEqual({ title: "Simgate GraphiQL" });
    expect(inlineScripts(html)[0]).not.toContain("Simgate GraphiQL");
  });

  it("puts the policy on the page only, not on GraphQL responses", async () => {
    const response = await h.raw({ body: { query: "{ __typename }" } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-security-policy")).toBeNull();
  });
});
