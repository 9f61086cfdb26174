// The HTTP server as operators run it: `pnpm start`, GraphiQL, request IDs, masked errors, config.
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { Writable } from "node:stream";
import pino from "pino";
import { describe, expect, it } from "vitest";
import { ConfigError, loadConfig } from "../src/config.ts";
import { signUp } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";
import { startArgs } from "./support/start-command.ts";
import { testEngine } from "./support/test-database.ts";

const logLines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of chunk.toString().split("\n")) if (line.trim()) logLines.push(JSON.parse(line));
    done();
  },
});
const h = await startHarness({ logger: pino({ level: "error" }, sink) });
const port = await h.app.listen();
const url = `http://127.0.0.1:${port}/graphql`;

describe("HTTP server", () => {
  it("serves GraphiQL at /graphql to browsers", async () => {
    const res = await fetch(url, { headers: { accept: "text/html" } });
    expect(res.status).toBe(200);
    expect(await res.text()).toMatch(/graphiql/i);
  });

  it("answers GraphQL over real HTTP with a request ID (generated, or the caller's)", async () => {
    const res = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ query: "{ viewer { id } }" }) });
    // Every response also reports the query limits in `extensions`.
    expect(await res.json()).toEqual({ data: { viewer: null }, extensions: { limits: expect.any(Object), cost: { requested: 2, limit: 20_000 } } });
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
    const mine = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "client-req-42" },
      body: JSON.stringify({ query: "{ viewer { id } }" }),
    });
    expect(mine.headers.get("x-request-id")).toBe("client-req-42");
  });

  it("masks unexpected errors for clients and logs them with the request ID", async () => {
    const op = await signUp(h);
    // Break the database under the server: the resolver's query now fails unexpectedly. (Not a
    // table the caller's identity reads: AuthKey and User are joined to every token look-up.)
    await h.app.db.$executeRawUnsafe(`ALTER TABLE "SupportTicket" RENAME TO "SupportTicketGone"`);
    try {
      const res = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${op.token}`, "x-request-id": "boom-1" },
        body: JSON.stringify({ query: "{ viewer { supportTickets(first: 1) { edges { node { id } } } } }" }),
      });
      const body = (await res.json()) as { errors: { message: string; extensions: Record<string, unknown> }[] };
      expect(body.errors[0]).toMatchObject({ message: "Unexpected error.", extensions: { code: "INTERNAL_SERVER_ERROR", requestId: "boom-1" } });
      expect(JSON.stringify(body)).not.toMatch(/SupportTicket|prisma|\.ts/i);
      const logged = logLines.find((l) => l.requestId === "boom-1" && l.msg === "unexpected error");
      expect(JSON.stringify(logged)).toMatch(/SupportTicket/);
    } finally {
      await h.app.db.$executeRawUnsafe(`ALTER TABLE "SupportTicketGone" RENAME TO "SupportTicket"`);
    }
  });
});

describe("configuration", () => {
  it("has safe defaults for everything", () => {
    const config = loadConfig({});
    expect(config).toMatchObject({
      PORT: 4000,
      DATABASE_URL: "file:./data/simgate.db",
      SIMGATE_TOKEN_TTL_SECONDS: 86_400,
      SIMGATE_TOKEN_MAX_TTL_SECONDS: 172_800,
      SIMGATE_VERIFICATION_TTL_HOURS: 24,
    });
    expect(config.SIMGATE_ADMIN_SECRET).toBeUndefined();
    expect(config.SMTP_URL).toBeUndefined();
  });

  it("refuses bad values with one message naming each", () => {
    const attempt = () =>
      loadConfig({ PORT: "http", DATABASE_URL: "mysql://x", SIMGATE_ADMIN_SECRET: "short", SIMGATE_TOKEN_MAX_TTL_SECONDS: "999999" });
    expect(attempt).toThrow(ConfigError);
    try {
      attempt();
    } catch (error) {
      const message = (error as Error).message;
      for (const name of ["PORT", "DATABASE_URL", "SIMGATE_ADMIN_SECRET", "SIMGATE_TOKEN_MAX_TTL_SECONDS"]) expect(message).toContain(name);
    }
  });

  it("O5: the admin secret has at least 32 characters", () => {
    expect(() => loadConfig({ SIMGATE_ADMIN_SECRET: "a".repeat(31) })).toThrow(/SIMGATE_ADMIN_SECRET: must be at least 32 characters/);
    expect(loadConfig({ SIMGATE_ADMIN_SECRET: "a".repeat(32) }).SIMGATE_ADMIN_SECRET).toHaveLength(32);
  });

  it("anonymous, failed-credential and recent-sign-in limits have safe defaults and refuse nonsense", () => {
    const config = loadConfig({});
    expect([config.SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP, config.SIMGATE_RATE_LIMIT_FAILED_CREDENTIALS_PER_IP, config.SIMGATE_RECENT_SIGN_IN_SECONDS]).toEqual([300, 10, 300]);
    for (const name of ["SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP", "SIMGATE_RATE_LIMIT_FAILED_CREDENTIALS_PER_IP", "SIMGATE_RECENT_SIGN_IN_SECONDS"]) {
      expect(() => loadConfig({ [name]: "-1" })).toThrow(new RegExp(name));
    }
  });

  it("O3: the default token lifetime cannot exceed the maximum", () => {
    expect(() => loadConfig({ SIMGATE_TOKEN_TTL_SECONDS: "7200", SIMGATE_TOKEN_MAX_TTL_SECONDS: "3600" })).toThrow(/SIMGATE_TOKEN_TTL_SECONDS/);
  });
});

describe.runIf(testEngine === "sqlite")("pnpm start", () => {
  it("starts on a fresh embedded database, applies migrations, serves GraphiQL, and stops on SIGTERM", async () => {
    const dir = mkdtempSync(join(tmpdir(), "simgate-start-"));
    const root = resolve(import.meta.dirname, "../../..");
    const child = spawn(process.execPath, startArgs, {
      cwd: root,
      env: { ...process.env, PORT: "0", DATABASE_URL: `file:${join(dir, "fresh.db")}`, SIMGATE_ADMIN_SECRET: "" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    try {
      let out = "";
      const listening = await new Promise<{ port: number }>((resolvePort, reject) => {
        child.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          const line = out.split("\n").find((l) => l.includes("Simgate listening"));
          if (line) resolvePort(JSON.parse(line) as { port: number });
        });
        child.on("exit", (code) => reject(new Error(`exited ${code}: ${out}`)));
        setTimeout(() => reject(new Error(`no start: ${out}`)), 20_000);
      });
      expect(out).toContain("migrations applied");
      const page = await fetch(`http://127.0.0.1:${listening.port}/graphql`, { headers: { accept: "text/html" } });
      expect(page.status).toBe(200);
      const exited = new Promise<number | null>((r) => child.on("exit", r));
      child.kill("SIGTERM");
      expect(await exited).toBe(0);
    } finally {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
