// SIGTERM drains a real server process. The slow request is held in flight by
// its own client (half its body sent, the rest after the checks), so nothing here depends on how
// fast the machine is; once complete it provisions 1,000 SIMs while the server drains.
// (A database lock would not do: better-sqlite3 waits for a lock synchronously, freezing the server.)
import { spawn, type ChildProcess } from "node:child_process";
import http from "node:http";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";
import { history, newSimSpec, ownSims } from "./support/sims.ts";
import { startArgs } from "./support/start-command.ts";

const h = await startHarness();
const databaseUrl = h.app.config.DATABASE_URL;
const root = resolve(import.meta.dirname, "../../..");

interface Child {
  child: ChildProcess;
  port: number;
  exited: Promise<number | null>;
  /** Resolves with the first JSON log line (seen or to come) that matches. */
  logLine(match: (line: Record<string, any>) => boolean): Promise<Record<string, any>>;
  output(): string;
}

const children = new Set<ChildProcess>();
afterAll(() => {
  for (const c of children) c.kill("SIGKILL");
});

/** `pnpm start`'s command on the test database. */
async function startServer(env: Record<string, string>): Promise<Child> {
  const child = spawn(process.execPath, startArgs, {
    cwd: root,
    env: {
      ...process.env,
      DATABASE_URL: databaseUrl,
      PORT: "0",
      HOST: "127.0.0.1",
      SIMGATE_ADMIN_SECRET: ADMIN_SECRET,
      SIMGATE_KDF_MEMORY_KIB: "1024",
      SIMGATE_KDF_ITERATIONS: "1",
      LOG_LEVEL: "debug",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  children.add(child);
  let out = "";
  const lines: Record<string, any>[] = [];
  const waiters: { match: (l: Record<string, any>) => boolean; done: (l: Record<string, any>) => void }[] = [];
  let partial = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    out += chunk.toString();
    const parts = (partial + chunk.toString()).split("\n");
    partial = parts.pop()!;
    for (const text of parts) {
      if (!text.trim().startsWith("{")) continue;
      const line = JSON.parse(text) as Record<string, any>;
      lines.push(line);
      for (const w of waiters.filter((x) => x.match(line))) {
        waiters.splice(waiters.indexOf(w), 1);
        w.done(line);
      }
    }
  });
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  const exited = new Promise<number | null>((done) => child.once("exit", (code) => (children.delete(child), done(code))));
  const logLine: Child["logLine"] = (match) => {
    const seen = lines.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((done, fail) => {
      waiters.push({ match, done });
      void exited.then(() => fail(new Error(`server exited without the expected log line:\n${out}`)));
    });
  };
  const listening = await logLine((l) => typeof l.msg === "string" && l.msg.startsWith("Simgate listening"));
  return { child, port: listening.port as number, exited, logLine, output: () => out };
}

/**
 * Starts a POST whose body arrives in two parts: the server has the request (it is in flight)
 * but cannot finish it until `finish()` sends the rest. Resolves the answer or "connection closed".
 */
async function heldRequest(port: number, requestId: string, body: string) {
  const bytes = Buffer.from(body);
  const cut = Math.floor(bytes.length / 2);
  let req!: http.ClientRequest;
  const answer = new Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string } | "connection closed">((done) => {
    req = http.request(
      {
        host: "127.0.0.1",
        port,
        path: "/graphql",
        method: "POST",
        agent: false,
        headers: {
          "content-type": "application/json",
          "content-length": String(bytes.length),
          authorization: `Bearer ${ADMIN_SECRET}`,
          "x-request-id": requestId,
        },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => (text += c.toString()));
        res.on("end", () => done({ status: res.statusCode!, headers: res.headers, body: text }));
        res.on("error", () => done("connection closed"));
      },
    );
    req.on("error", () => done("connection closed"));
  });
  req.write(bytes.subarray(0, cut));
  return { answer, finish: () => req.end(bytes.subarray(cut)) };
}

/** One GET on a given agent (keep-alive: reuses its idle connection). */
function getOn(agent: http.Agent, port: number, path: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: any }> {
  return new Promise((done, fail) => {
    const req = http.get({ host: "127.0.0.1", port, path, agent }, (res) => {
      let body = "";
      res.on("data", (c: Buffer) => (body += c.toString()));
      res.on("end", () => done({ status: res.statusCode!, headers: res.headers, body: JSON.parse(body) }));
    });
    req.on("error", fail);
  });
}

const PROVISION = `mutation($i: AdminProvisionSimsInput!) { adminProvisionSims(input: $i) { provisionedCount userErrors { code } } }`;
const STATUS = `query($id: ID!) { node(id: $id) { ... on Sim { status } } }`;

describe("graceful shutdown on SIGTERM", () => {
  it("S7: the request in flight gets its whole answer, new connections are refused, /readyz says 503 while draining, exit 0; an expiry due meanwhile is applied exactly once after a restart", async () => {
    const op = await signUp(h);
    const [sim] = await ownSims(h, op, 1);
    // As harness.ts gives the in-process suite: the held 1,000-SIM transaction shares two cores
    // with the whole suite, and may wait longer for its turn than production limits allow.
    const server = await startServer({ SIMGATE_SCHEDULER_INTERVAL_MS: "100", SIMGATE_SHUTDOWN_GRACE_MS: "60000", SIMGATE_TRANSACTION_TIMEOUT_MS: "20000", SIMGATE_TRANSACTION_MAX_WAIT_MS: "10000" });
    try {
      // The slow request: 1,000 SIMs provisioned by the administrator.
      const specs = Array.from({ length: 1000 }, () => newSimSpec());
      const slow = await heldRequest(server.port, "drain-slow", JSON.stringify({ query: PROVISION, variables: { i: { sims: specs } } }));
      await server.logLine((l) => l.requestId === "drain-slow" && l.msg === "request received");

      // A probe's keep-alive connection, open before the signal.
      const probe = new http.Agent({ keepAlive: true, maxSockets: 1 });
      expect((await getOn(probe, server.port, "/healthz")).status).toBe(200);

      // An expiry that falls due while the server is shutting down.
      const expiresAt = Date.now() + 1000;
      const set = await h.ok(
        `mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`,
        { i: { simId: sim!.id, expiresAt: new Date(expiresAt).toISOString(), action: "DEACTIVATE" } },
        op.token,
      );
      expect(set.setSimExpiry.userErrors).toEqual([]);

      server.child.kill("SIGTERM");
      const draining = await server.logLine((l) => typeof l.msg === "string" && l.msg.startsWith("draining"));
      expect(draining.inFlight).toBe(1); // the provisioning request, still running

      await expect(fetch(`http://127.0.0.1:${server.port}/healthz`)).rejects.toThrow();
      const ready = await getOn(probe, server.port, "/readyz");
      expect(ready).toMatchObject({ status: 503, body: { status: "unavailable", reason: "shutting down" } });
      expect(ready.headers.connection).toBe("close");
      probe.destroy();

      // The expiry is due now, during the drain.
      while (Date.now() <= expiresAt + 50) await new Promise((r) => setTimeout(r, expiresAt + 60 - Date.now()));
      slow.finish();
      const answer = await slow.answer;
      expect(answer).not.toBe("connection closed");
      if (answer === "connection closed") return;
      expect(answer.status).toBe(200);
      expect(answer.headers["x-request-id"]).toBe("drain-slow");
      expect(JSON.parse(answer.body)).toMatchObject({ data: { adminProvisionSims: { provisionedCount: 1000, userErrors: [] } } });
      expect(await server.exited).toBe(0);
      expect(server.output()).not.toMatch(/"level":(50|60)/); // no error logged while stopping
    } finally {
      server.child.kill("SIGKILL");
    }

    // Restart: whoever ran the expiry (the old server's last tick or the new one), it ran once.
    const again = await startServer({ SIMGATE_SCHEDULER_INTERVAL_MS: "100" });
    try {
      await expect.poll(async () => (await h.ok(STATUS, { id: sim!.id }, op.token)).node.status, { timeout: 15_000, interval: 100 }).toBe("INACTIVE");
      again.child.kill("SIGTERM");
      expect(await again.exited).toBe(0);
    } finally {
      again.child.kill("SIGKILL");
    }
    expect((await h.app.scheduler.runOnce()).expiriesApplied).toBe(0);
    expect((await history(h, op, sim!.id)).edges.filter((e) => e.node.cause === "EXPIRY")).toHaveLength(1);
    const audit = await h.ok(`{ viewer { auditLog(first: 10, filter: { action: "applySimExpiry" }) { totalCount } } }`, {}, op.token);
    expect(audit.viewer.auditLog.totalCount).toBe(1);
  }, 90_000);

  it("the drain is bounded by SIMGATE_SHUTDOWN_GRACE_MS: a request that never completes is cut off and the process still exits 0", async () => {
    const server = await startServer({ SIMGATE_SHUTDOWN_GRACE_MS: "200", SIMGATE_SCHEDULER_INTERVAL_MS: "60000" });
    try {
      const stuck = await heldRequest(server.port, "drain-stuck", JSON.stringify({ query: PROVISION, variables: { i: { sims: [newSimSpec()] } } }));
      await server.logLine((l) => l.requestId === "drain-stuck" && l.msg === "request received");
      server.child.kill("SIGTERM");
      const over = await server.logLine((l) => typeof l.msg === "string" && l.msg.startsWith("grace period over"));
      expect(over).toMatchObject({ abandoned: 1, graceMs: 200 });
      expect(await stuck.answer).toBe("connection closed");
      expect(await server.exited).toBe(0);
    } finally {
      server.child.kill("SIGKILL");
    }
  }, 60_000);
});
