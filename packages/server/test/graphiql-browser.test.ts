// GraphiQL in a real browser (Debian's Chromium, driven by playwright-core) against a real server
// process, with every request to another origin refused: the page must work on its own assets,
// under its Content-Security-Policy, as on a network that cannot reach a CDN. Screenshots go to
// artifacts/graphiql/ for CI to keep. Once, on SQLite: the page does not depend on the engine
// (graphiql.test.ts checks the served page and its policy on both).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { chromium, type BrowserContext, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail, type TestOperator } from "./support/accounts.ts";
import { ownSims } from "./support/sims.ts";
import { createTestDatabase } from "./support/test-database.ts";
import { startServerProcess, type ServerProcess } from "./support/server-process.ts";
import type { ScratchDatabase } from "../../../scripts/scratch-database.ts";

const CHROMIUM = "/usr/bin/chromium";
const screenshots = resolve(import.meta.dirname, "../../../artifacts/graphiql");

describe.skipIf(process.env.SIMGATE_TEST_DB === "postgres")("GraphiQL in Chromium with no outside network", () => {
  let database: ScratchDatabase;
  let server: ServerProcess;
  let context: BrowserContext;
  let page: Page;
  let origin: string;
  let profile: string;
  const outside: string[] = [];
  const consoleErrors: string[] = [];
  const policyViolations: string[] = [];
  let token = "";

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) {
      throw new Error(`GraphiQL browser test needs Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium (.ci/run installs it)`);
    }
    mkdirSync(screenshots, { recursive: true });
    database = await createTestDatabase();
    server = await startServerProcess(database.url);
    origin = `http://127.0.0.1:${server.port}`;
    profile = mkdtempSync(join(tmpdir(), "simgate-chromium-"));
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
      viewport: { width: 1400, height: 900 },
    });
    // Anything not addressed to the server is refused and remembered (workers included: context-wide).
    await context.route("**/*", async (route) => {
      const url = route.request().url();
      if (new URL(url).origin === origin) return route.continue();
      outside.push(url);
      return route.abort("blockedbyclient");
    });
    await context.exposeBinding("reportPolicyViolation", (_source, text: string) => void policyViolations.push(text));
    await context.addInitScript(() => {
      document.addEventListener("securitypolicyviolation", (e) =>
        (window as unknown as { reportPolicyViolation(t: string): void }).reportPolicyViolation(`${e.violatedDirective} ${e.blockedURI}`),
      );
    });
    page = context.pages()[0] ?? (await context.newPage());
    const recordError = (where: string) => (m: { type(): string; text(): string }) => {
      if (m.type() === "error") consoleErrors.push(`${where}: ${m.text()}`);
    };
    page.on("console", recordError("page"));
    page.on("pageerror", (e) => consoleErrors.push(`page: ${e.message}`));
    page.on("worker", (w) => w.on("console", recordError(`worker ${w.url().slice(0, 60)}`)));
  });

  afterAll(async () => {
    await context?.close();
    await server?.kill();
    await database?.drop();
    if (profile) rmSync(profile, { recursive: true, force: true });
  });

  /** The lines of the editor shown in a section (the variables and headers editors share one). */
  function lines(section: string) {
    return page.locator(`${section} .monaco-editor .view-lines`).filter({ visible: true });
  }

  /** The text a person reads in one of the editors (Monaco renders spaces as no-break spaces). */
  async function editorText(section: string): Promise<string> {
    return (await lines(section).innerText()).replace(/\u00a0/g, " ");
  }

  /** Clears an editor and pastes one line into it, as a person would. */
  async function paste(section: string, text: string): Promise<void> {
    await lines(section).click();
    await page.keyboard.press("Control+A");
    // Cleared first: a paste over a selection starting with "{" gets an auto-closed "}" added.
    await page.keyboard.press("Backspace");
    await page.keyboard.insertText(text);
    await expect.poll(() => editorText(section)).toBe(text);
  }

  async function run(): Promise<void> {
    await page.getByRole("button", { name: /^Execute query/ }).click();
  }

  it("signs up, runs an authenticated query with a header from the headers pane, and shows the schema docs", { timeout: 90_000 }, async () => {
    const response = await page.goto(`${origin}/graphql`, { waitUntil: "load" });
    expect(await response!.request().headerValue("accept")).toContain("text/html");
    const rendered = await page
      .getByRole("button", { name: /^Execute query/ })
      .waitFor({ timeout: 20_000 })
      .then(() => true, () => false);
    await page.screenshot({ path: join(screenshots, "1-loaded.png") });
    expect(rendered, `GraphiQL did not render; outside requests refused: ${outside.join(", ") || "none"}; console errors: ${consoleErrors.join(" | ") || "none"}`).toBe(true);

    const query = "section.graphiql-query-editor";
    const result = "section.result-window";
    const email = uniqueEmail("graphiql");
    await paste(query, `mutation { signUp(input: { email: "${email}", password: "correct horse battery", name: "GraphiQL Operator" }) { token operator { operatorId } userErrors { code } } }`);
    await run();
    await expect.poll(() => editorText(result), { timeout: 15_000 }).toMatch(/"token": "[^"]+"/);
    const signedUp = await editorText(result);
    token = /"token": "([^"]+)"/.exec(signedUp)![1]!;
    const operatorId = /"operatorId": "(OP\d{10})"/.exec(signedUp)![1]!;
    await page.screenshot({ path: join(screenshots, "2-signed-up.png") });

    await page.getByRole("button", { name: "Headers", exact: true }).click();
    const headers = 'section.graphiql-editor-tool[aria-label="Headers"]';
    await paste(headers, JSON.stringify({ Authorization: `Bearer ${token}` }));
    await paste(query, "{ viewer { operatorId name primaryEmail { address } } }");
    await run();
    await expect.poll(() => editorText(result), { timeout: 15_000 }).toContain(`"operatorId": "${operatorId}"`);
    const viewer = await editorText(result);
    expect(viewer).toContain('"name": "GraphiQL Operator"');
    expect(viewer).toContain(`"address": "${email}"`);
    await page.screenshot({ path: join(screenshots, "3-viewer.png") });

    await page.getByRole("button", { name: "Show Documentation Explorer" }).click();
    const docs = page.locator(".graphiql-doc-explorer");
    await page.locator(".graphiql-doc-explorer").getByText("Query", { exact: true }).click();
    await expect.poll(() => docs.innerText(), { timeout: 10_000 }).toContain("viewer");
    const fields = await docs.innerText();
    for (const field of ["node", "viewer", "sim", "supportScope"]) expect(fields).toMatch(new RegExp(`\\b${field}\\b`));
    await page.screenshot({ path: join(screenshots, "4-docs-query-fields.png") });

    // All of the above ran under the page's policy, which allows nothing but the server.
    expect(response!.headers()["content-security-policy"]).toContain("default-src 'self'");
    expect(outside).toEqual([]);
    expect(policyViolations).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
  it("V4: runs `subscription { events { sequence type } }` over SSE and shows an event committed after it started", { timeout: 60_000 }, async () => {
    expect(token, "the previous test signs up").not.toBe("");
    const query = "section.graphiql-query-editor";
    const result = "section.result-window";
    await paste(query, "subscription { events { sequence type } }");
    await run();
    // Running: the button now stops the subscription.
    await page.getByRole("button", { name: /^Stop/ }).waitFor({ timeout: 10_000 });
    await page.waitForTimeout(500);
    const [sim] = await ownSims(server.client, { token } as TestOperator, 1);
    await expect.poll(() => editorText(result), { timeout: 15_000 }).toMatch(/"type": "SIM_REGISTERED"/);
    const shown = await editorText(result);
    expect(shown).toMatch(/"sequence": "\d+"/);
    await page.screenshot({ path: join(screenshots, "5-subscription-event.png") });
    expect(sim).toBeDefined();
    await page.getByRole("button", { name: /^Stop/ }).click();
    await page.getByRole("button", { name: /^Execute query/ }).waitFor({ timeout: 10_000 });

    expect(outside).toEqual([]);
    expect(policyViolations).toEqual([]);
    expect(consoleErrors).toEqual([]);
  });
});
