// Operations endpoints: /healthz, /readyz and /metrics, in-process and over real HTTP; request IDs in
// the JSON logs; configuration refused at start with exit code 2.
import { spawn } from "node:child_process";
import { resolve } from "node:path";
import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../src/config.ts";
import { createLogger } from "../src/logger.ts";
import { DEFAULT_MANIFEST_PATH, loadPersistedOperations } from "../src/persisted-operations.ts";
import { signUp } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";
import { ownSims } from "./support/sims.ts";
import { startArgs } from "./support/start-command.ts";
import { testEngine } from "./support/test-database.ts";

const logLines: Record<string, unknown>[] = [];
const sink = new Writable({
  write(chunk, _enc, done) {
    for (const line of chunk.toString().split("\n")) if (line.trim()) logLines.push(JSON.parse(line));
    done();
  },
});

const METRICS_TOKEN = "metrics-token-0123456789";
const bearer = { authorization: `Bearer ${METRICS_TOKEN}` };
const h = await startHarness({ logger: createLogger("debug", sink), env: { SIMGATE_METRICS_TOKEN: METRICS_TOKEN } });
const port = await h.app.listen();
await h.app.scheduler.stop(); // the test runs due jobs itself, so it knows how many were applied
const base = `http://127.0.0.1:${port}`;

const get = (path: string, headers: Record<string, string> = {}) => h.raw({ method: "GET", path, headers });
const readMetrics = async () => await (await get("/metrics", bearer)).text();

/** The SDK's registered Viewer query, sent by hash as the SDK sends it. */
const [viewerHash] = [...loadPersistedOperations(DEFAULT_MANIFEST_PATH)].find(([, text]) => text.startsWith("query Viewer"))!;
const viewerByHash = JSON.stringify({ extensions: { persistedQuery: { version: 1, sha256Hash: viewerHash } } });

/** The value of one sample line of Prometheus text, or undefined. */
function sample(text: string, series: string): number | undefined {
  const line = text.split("\n").find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}

describe("/healthz and /readyz", () => {
  it("/healthz answers 200 JSON in-process and over HTTP", async () => {
    const res = await get("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: "ok" });
    const real = await fetch(`${base}/healthz`);
    expect(real.status).toBe(200);
    expect(real.headers.get("content-type")).toMatch(/application\/json/);
    expect(await real.json()).toMatchObject({ status: "ok", uptimeSeconds: expect.any(Number) });
  });

  it("/readyz answers 200 when the database answers and every migration is applied", async () => {
    const res = await fetch(`${base}/readyz`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready" });
  });

  it("/readyz answers 503 naming the migration the database lacks, and 200 again once it is there", async () => {
    const rows = await h.app.db.$queryRawUnsafe<{ name: string; applied_at: unknown }[]>(
      `SELECT name, applied_at FROM _simgate_migrations ORDER BY name DESC LIMIT 1`,
    );
    const last = rows[0]!;
    await h.app.db.$executeRawUnsafe(`DELETE FROM _simgate_migrations WHERE name = '${last.name}'`);
    try {
      const res = await fetch(`${base}/readyz`);
      expect(res.status).toBe(503);
      expect(await res.json()).toEqual({ status: "unavailable", reason: "migrations pending", pending: [last.name] });
    } finally {
      const at = testEngine === "sqlite" ? `'${new Date().toISOString()}'` : "now()";
      await h.app.db.$executeRawUnsafe(`INSERT INTO _simgate_migrations (name, applied_at) VALUES ('${last.name}', ${at})`);
    }
    expect((await fetch(`${base}/readyz`)).status).toBe(200);
  });

  it("the operations routes answer only GET/HEAD, and /graphql still reaches yoga", async () => {
    expect((await h.raw({ method: "POST", path: "/healthz", body: {} })).status).toBe(405);
    const head = await fetch(`${base}/healthz`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await h.ok(`{ __typename }`)).toEqual({ __typename: "Query" });
  });
});

describe("/metrics", () => {
  it("Prometheus text with process metrics and the request just made, by operation and status", async () => {
    const before = await (await fetch(`${base}/metrics`, { headers: bearer })).text();
    const series = 'simgate_http_requests_total{operation="Viewer",status="200"}';
    const count = sample(before, series) ?? 0;
    const durations = sample(before, 'simgate_http_request_duration_seconds_count{operation="Viewer"}') ?? 0;
    for (let i = 0; i < 3; i += 1) {
      const res = await fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: viewerByHash });
      expect(res.status).toBe(200);
    }
    const res = await fetch(`${base}/metrics`, { headers: bearer });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await res.text();
    expect(sample(text, series)).toBe(count + 3);
    expect(sample(text, 'simgate_http_request_duration_seconds_count{operation="Viewer"}')).toBe(durations + 3);
    expect(text).toMatch(/^# TYPE simgate_http_request_duration_seconds histogram$/m);
    expect(sample(text, "process_cpu_user_seconds_total")).toBeGreaterThan(0);
    expect(sample(text, "nodejs_heap_size_used_bytes")).toBeGreaterThan(0);
  });

  it("GraphQL errors are counted by code (in-process requests too)", async () => {
    const count = async (code: string) => sample(await readMetrics(), `simgate_graphql_errors_total{code="${code}"}`) ?? 0;
    const validation = await count("GRAPHQL_VALIDATION_FAILED");
    const forbidden = await count("FORBIDDEN");
    const bad = await h.gql(`{ noSuchField }`);
    expect(bad.errors?.[0]?.extensions?.code).toBe("GRAPHQL_VALIDATION_FAILED");
    const op = await signUp(h);
    const denied = await h.gql(`{ adminOutbox(first: 1) { id } }`, {}, op.token);
    expect(denied.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
    expect(await count("GRAPHQL_VALIDATION_FAILED")).toBe(validation + 1);
    expect(await count("FORBIDDEN")).toBe(forbidden + 1);
  });

  it("S7: due expiries applied by the scheduler are counted; the outbox series exist from the start", async () => {
    const op = await signUp(h);
    const sims = await ownSims(h, op, 2);
    for (const s of sims) {
      const set = await h.ok(
        `mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`,
        { i: { simId: s.id, expiresAt: new Date(Date.now() + 60_000).toISOString(), action: "DEACTIVATE" } },
        op.token,
      );
      expect(set.setSimExpiry.userErrors).toEqual([]);
    }
    const before = sample(await readMetrics(), 'simgate_due_jobs_applied_total{kind="expiry"}')!;
    h.clock.advance(61_000);
    try {
      const report = await h.app.scheduler.runOnce();
      expect(report.expiriesApplied).toBe(2);
    } finally {
      h.clock.reset();
    }
    const text = await readMetrics();
    expect(sample(text, 'simgate_due_jobs_applied_total{kind="expiry"}')).toBe(before + 2);
    expect(sample(text, 'simgate_due_jobs_applied_total{kind="transfer_expiry"}')).toBe(0);
    expect(sample(text, 'simgate_outbox_messages_total{result="sent"}')).toBe(0);
    expect(sample(text, 'simgate_outbox_messages_total{result="failed"}')).toBe(0);
  });

  it("with SIMGATE_METRICS_TOKEN, /metrics needs that bearer token (not the admin secret)", async () => {
    const path = "/metrics";
    expect((await h.raw({ method: "GET", path })).status).toBe(401);
    expect((await h.raw({ method: "GET", path, headers: { authorization: `Bearer ${ADMIN_SECRET}` } })).status).toBe(401);
    expect((await fetch(`${base}${path}`)).status).toBe(401);
    const ok = await h.raw({ method: "GET", path, headers: bearer });
    expect(ok.status).toBe(200);
    expect(await ok.text()).toContain("simgate_http_requests_total");
    // The probes stay open: orchestrators call them without credentials.
    expect((await h.raw({ method: "GET", path: "/healthz" })).status).toBe(200);
  });

  it("operation labels are registered operations only (by hash or by name); any other name counts as other", async () => {
    const before = await readMetrics();
    const other = sample(before, 'simgate_http_requests_total{operation="other",status="200"}') ?? 0;
    const viewer = sample(before, 'simgate_http_requests_total{operation="Viewer",status="200"}') ?? 0;
    for (let i = 0; i < 20; i += 1) await h.ok(`query Junk${i}x${Math.random().toString(36).slice(2)} { __typename }`);
    await h.ok(`query Viewer { __typename }`); // a registered name, sent as a document
    expect((await h.raw({ body: JSON.parse(viewerByHash) })).status).toBe(200);
    const text = await readMetrics();
    expect(text).not.toMatch(/operation="Junk/);
    expect(sample(text, 'simgate_http_requests_total{operation="other",status="200"}')).toBe(other + 20);
    expect(sample(text, 'simgate_http_requests_total{operation="Viewer",status="200"}')).toBe(viewer + 2);
  });
});

describe("/metrics without a token", async () => {
  const open = await startHarness({ env: { SIMGATE_METRICS_PORT: "0" } });
  const openPort = await open.app.listen();

  it("the public port has no /metrics: 404 in-process and over HTTP, like any unknown path", async () => {
    expect((await open.raw({ method: "GET", path: "/metrics" })).status).toBe(404);
    const res = await fetch(`http://127.0.0.1:${openPort}/metrics`);
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain("simgate_");
    expect((await fetch(`http://127.0.0.1:${openPort}/healthz`)).status).toBe(200);
  });

  it("SIMGATE_METRICS_PORT serves /metrics on a loopback listener of its own, and nothing else there", async () => {
    const metricsPort = open.app.metricsPort!;
    expect(metricsPort).toBeGreaterThan(0);
    expect(metricsPort).not.toBe(openPort);
    const res = await fetch(`http://127.0.0.1:${metricsPort}/metrics`);
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("simgate_http_requests_total");
    expect((await fetch(`http://127.0.0.1:${metricsPort}/graphql`)).status).toBe(404);
    expect((await fetch(`http://127.0.0.1:${metricsPort}/healthz`)).status).toBe(404);
  });

  it("SIMGATE_METRICS_PORT is validated at start", () => {
    expect(loadConfig({}).SIMGATE_METRICS_PORT).toBeUndefined();
    expect(() => loadConfig({ SIMGATE_METRICS_PORT: "metrics" })).toThrow(/SIMGATE_METRICS_PORT/);
  });
});

describe("structured logs", () => {
  it("every log line written for a request carries its request ID, which the client also gets", async () => {
    const res = await fetch(`${base}/graphql`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-request-id": "ops-log-1" },
      body: JSON.stringify({ query: "{ viewer { id } }" }),
    });
    expect(res.headers.get("x-request-id")).toBe("ops-log-1");
    await res.json();
    const mine = logLines.filter((l) => l.requestId === "ops-log-1");
    expect(mine.map((l) => l.msg)).toEqual(expect.arrayContaining(["request received", "request completed"]));
    for (const line of mine) expect(line).toMatchObject({ service: "simgate", level: expect.any(Number), time: expect.any(String) });
  });
});

describe.runIf(testEngine === "sqlite")("configuration at start", () => {
  it("a bad configuration stops the process with exit code 2 and names every bad variable", async () => {
    const root = resolve(import.meta.dirname, "../../..");
    const child = spawn(process.execPath, startArgs, {
      cwd: root,
      env: { ...process.env, PORT: "http", SIMGATE_SHUTDOWN_GRACE_MS: "-1", SIMGATE_METRICS_TOKEN: "short", DATABASE_URL: "file:/nonexistent/never.db" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let err = "";
    child.stderr.on("data", (c: Buffer) => (err += c.toString()));
    const code = await new Promise<number | null>((done) => child.on("exit", done));
    expect(code).toBe(2);
    for (const name of ["PORT", "SIMGATE_SHUTDOWN_GRACE_MS", "SIMGATE_METRICS_TOKEN"]) expect(err).toContain(name);
  });
});
