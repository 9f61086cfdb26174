// `pnpm bench:events` (also part of `pnpm bench`): what the push side costs.
// (a) Webhook deliveries per second: BENCH_HOOK_EVENTS events (addSimTags on 1,000 SIMs at a time,
//     one SIM_UPDATED each) fanned out to 1 and to 5 endpoints on loopback receivers answering 204
//     at once; timed from the first call sent to the last receipt, every webhook-id counted.
// (b) bench/http.ts's read and write documents (autocannon, BENCH_CONNECTIONS connections,
//     BENCH_DURATION s each) with events "off" (no subscriber, no endpoint) and "on" (2 SSE
//     subscribers to every event and 1 webhook endpoint receiving every event), same server.
// Simgate runs as its own process (`pnpm start`'s command, NODE_ENV=production).
//   BENCH_ENGINES=sqlite,postgresql BENCH_SIMS=100000 BENCH_DURATION=5 BENCH_CONNECTIONS=10 BENCH_HOOK_EVENTS=5000
import { spawn, type ChildProcess } from "node:child_process";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import autocannon from "autocannon";
import { createDb, parseDatabaseUrl } from "../packages/schema/src/db/database.ts";
import { subscribeSse, type OpenSubscription } from "../packages/server/test/support/subscriptions.ts";
import { READ, WRITE } from "./http.ts";
import { freshDatabase, type Engine } from "./lib/databases.ts";
import { BENCH_PASSWORD, seed } from "./seed.ts";

const engines = (process.env.BENCH_ENGINES ?? "sqlite,postgresql").split(",") as Engine[];
const SIMS = Number(process.env.BENCH_SIMS ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number((process.env.BENCH_CONNECTIONS ?? "10").split(",")[0]);
const HOOK_EVENTS = Number(process.env.BENCH_HOOK_EVENTS ?? 5000);
const FANOUTS = [1, 5];
const ROUNDS = Number(process.env.BENCH_EVENTS_ROUNDS ?? 2);
// What "on" means (for finding where a cost comes from): subscribers, the endpoint, or both.
const ON = new Set((process.env.BENCH_EVENTS_ON ?? "subscribers,endpoint").split(","));
const SUBSCRIBERS = ON.has("subscribers") ? 2 : 0;

interface Cell {
  rps: number;
  p99: number;
  errors: number;
}
const root = resolve(import.meta.dirname, "..");
const gid = (id: string) => Buffer.from(`Sim:${id}`).toString("base64");

async function startSimgate(databaseUrl: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", "packages/server/src/main.ts"], {
    cwd: root,
    env: {
      ...process.env, DATABASE_URL: databaseUrl, PORT: "0", LOG_LEVEL: "info", NODE_ENV: "production", DATABASE_POOL_SIZE: "10", SIMGATE_ADMIN_SECRET: "",
      SIMGATE_RATE_LIMIT_PER_CLIENT: "1000000", SIMGATE_RATE_LIMIT_PER_IP: "1000000", SIMGATE_RATE_LIMIT_PER_ACCOUNT: "1000000", SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP: "1000000",
      // Loopback receivers (V7's development switch); everything else at its defaults.
      SIMGATE_WEBHOOK_ALLOW_PRIVATE: "true",
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((done, fail) => {
    let out = "";
    const onData = (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n").find((l) => l.includes("Simgate listening"));
      if (line) {
        child.stdout!.off("data", onData);
        child.stdout!.resume(); // keep draining the log
        done((JSON.parse(line) as { port: number }).port);
      }
    };
    child.stdout!.on("data", onData);
    child.on("exit", (code) => fail(new Error(`server exited ${code}: ${out}`)));
  });
  return { child, port };
}

/** A receiver that answers 204 at once and counts webhook-ids. */
async function startCountingReceiver(): Promise<{ url: string; ids: Set<string>; receipts: () => number; lastAt: () => number; close(): Promise<void> }> {
  const ids = new Set<string>();
  let receipts = 0;
  let lastAt = 0;
  const server: Server = createServer((req, res) => {
    req.resume();
    req.on("end", () => {
      ids.add(req.headers["webhook-id"] as string);
      receipts += 1;
      lastAt = performance.now();
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    ids,
    receipts: () => receipts,
    lastAt: () => lastAt,
    close: () => new Promise((r) => (server.closeAllConnections(), server.close(() => r()))),
  };
}

export interface DeliveryRow {
  engine: Engine;
  endpoints: number;
  events: number;
  deliveries: number;
  duplicates: number;
  seconds: number;
  perSecond: number;
}

export interface LoadRow {
  engine: Engine;
  scenario: "read" | "write";
  off: number;
  on: number;
  offP99: number;
  onP99: number;
  errors: number;
}

async function waitUntil(check: () => boolean, what: string, timeoutMs: number): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

export async function runEventsBench(): Promise<{ deliveries: DeliveryRow[]; load: LoadRow[] }> {
  const deliveries: DeliveryRow[] = [];
  const load: LoadRow[] = [];
  for (const engine of engines) {
    const database = await freshDatabase(engine);
    const [loadOp] = await seed(database.url, 1, SIMS, false);
    const db = await createDb(parseDatabaseUrl(database.url));
    const simsOf = async (operatorId: string, take: number) => (await db.sim.findMany({ where: { operatorId }, select: { id: true }, take })).map((s) => gid(s.id));
    const simgate = await startSimgate(database.url);
    const base = `http://127.0.0.1:${simgate.port}`;
    const post = async (query: string, variables: unknown, token?: string) =>
      (await (await fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) })).json()) as any;
    const signIn = async (email: string) =>
      (await post(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email, password: BENCH_PASSWORD, tokenTimeoutSeconds: 172_800 } })).data.authenticate.token as string;
    const createEndpoint = async (token: string, url: string) => {
      const out = await post(`mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } userErrors { code } } }`, { i: { url } }, token);
      if (out.errors || out.data.createWebhookEndpoint.userErrors.length) throw new Error(JSON.stringify(out));
      return out.data.createWebhookEndpoint.endpoint.id as string;
    };
    const deleteEndpoint = async (token: string, endpointId: string) => {
      const out = await post(`mutation($i: DeleteWebhookEndpointInput!) { deleteWebhookEndpoint(input: $i) { userErrors { code } } }`, { i: { endpointId } }, token);
      if (out.errors || out.data.deleteWebhookEndpoint.userErrors.length) throw new Error(JSON.stringify(out));
    };
    try {
      // (b) first, while nothing else is queued: events off, then on.
      const token = await signIn(loadOp!.email);
      const simIds = await simsOf(loadOp!.id, 5000);
      let n = 0;
      const bodies = { read: () => JSON.stringify({ query: READ }), write: () => JSON.stringify({ query: WRITE, variables: { input: { simId: simIds[n++ % simIds.length], name: `load-${n}` } } }) };
      const cell = async (scenario: "read" | "write", seconds = DURATION) => {
        const result = await autocannon({
          url: `${base}/graphql`,
          connections: CONNECTIONS,
          duration: seconds,
          requests: [{ method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, setupRequest: (req) => ({ ...req, body: bodies[scenario]() }) }],
        });
        return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx };
      };
      await cell("read", 2); // warm-up
      await cell("write", 2);
      // Off and on alternate (off, on, off, on …) so drift in the shared machine's load hits both alike.
      const sums = { off: { read: [] as Cell[], write: [] as Cell[] }, on: { read: [] as Cell[], write: [] as Cell[] } };
      for (let round = 0; round < ROUNDS; round++) {
        sums.off.read.push(await cell("read"));
        sums.off.write.push(await cell("write"));
        const receiver = await startCountingReceiver();
        const endpointId = ON.has("endpoint") ? await createEndpoint(token, receiver.url) : null;
        const subs: OpenSubscription[] = [];
        const seen = [0, 0];
        for (let i = 0; i < SUBSCRIBERS; i++) {
          const sub = await subscribeSse(base, `subscription { events { sequence type } }`, {}, token);
          subs.push(sub);
          void (async () => {
            while (await sub.next(3_600_000).catch(() => null)) seen[i]! += 1;
          })();
        }
        sums.on.read.push(await cell("read"));
        sums.on.write.push(await cell("write"));
        // Every event of the "on" write cell reaches both subscribers and the endpoint before "off" again.
        await waitUntil(() => (endpointId === null || receiver.ids.size >= seen[0]!) && seen[0] === seen[1], "the load's deliveries", 120_000).catch((e) => process.stderr.write(`${String(e)}\n`));
        process.stderr.write(`${engine}: round ${round + 1}, events on: subscribers saw ${seen.join(" and ")} events, the endpoint ${receiver.ids.size}\n`);
        await Promise.all(subs.map((s) => s.close()));
        if (endpointId) await deleteEndpoint(token, endpointId);
        await receiver.close();
      }
      const mean = (cells: Cell[], key: "rps" | "p99") => cells.reduce((a, c) => a + c[key], 0) / cells.length;
      for (const scenario of ["read", "write"] as const) {
        const errors = [...sums.off[scenario], ...sums.on[scenario]].reduce((a, c) => a + c.errors, 0);
        load.push({ engine, scenario, off: mean(sums.off[scenario], "rps"), on: mean(sums.on[scenario], "rps"), offP99: mean(sums.off[scenario], "p99"), onP99: mean(sums.on[scenario], "p99"), errors });
      }

      // (a) deliveries per second.
      const ids = simIds.slice(0, 1000);
      const opToken = token;
      for (const endpoints of HOOK_EVENTS > 0 ? FANOUTS : []) {
        const receivers = await Promise.all(Array.from({ length: endpoints }, () => startCountingReceiver()));
        const endpointIds: string[] = [];
        for (const r of receivers) endpointIds.push(await createEndpoint(opToken, r.url));
        const started = performance.now();
        for (let sent = 0; sent < HOOK_EVENTS; sent += ids.length) {
          const out = await post(`mutation($i: AddSimTagsInput!) { addSimTags(input: $i) { userErrors { code } } }`, { i: { simIds: ids, tags: [{ name: "round", value: String(sent) }] } }, opToken);
          if (out.errors || out.data.addSimTags.userErrors.length) throw new Error(JSON.stringify(out).slice(0, 400));
        }
        const events = Math.ceil(HOOK_EVENTS / ids.length) * ids.length;
        await waitUntil(() => receivers.every((r) => r.ids.size >= events), `${events} events at ${endpoints} endpoint(s)`, 600_000);
        const seconds = (Math.max(...receivers.map((r) => r.lastAt())) - started) / 1000;
        const receipts = receivers.reduce((s, r) => s + r.receipts(), 0);
        deliveries.push({ engine, endpoints, events, deliveries: events * endpoints, duplicates: receipts - events * endpoints, seconds, perSecond: (events * endpoints) / seconds });
        process.stderr.write(`${engine}: ${events} events to ${endpoints} endpoint(s) in ${seconds.toFixed(1)} s\n`);
        for (const id of endpointIds) await deleteEndpoint(opToken, id);
        await Promise.all(receivers.map((r) => r.close()));
      }
    } finally {
      simgate.child.kill("SIGKILL");
      await db.$disconnect();
      await database.drop();
    }
  }
  return { deliveries, load };
}

export function eventsReport({ deliveries, load }: Awaited<ReturnType<typeof runEventsBench>>): string {
  return [
    `Webhook deliveries: ${HOOK_EVENTS.toLocaleString("en")} events to loopback receivers answering 204, ${new Date().toISOString()}`,
    "",
    "| engine | endpoints | events | deliveries | duplicates | seconds (first call sent → last receipt) | deliveries/s |",
    "|---|---|---|---|---|---|---|",
    ...deliveries.map((r) => `| ${r.engine} | ${r.endpoints} | ${r.events} | ${r.deliveries} | ${r.duplicates} | ${r.seconds.toFixed(1)} | ${Math.round(r.perSecond)} |`),
    "",
    `HTTP load with events off and on: ${SIMS.toLocaleString("en")} SIMs, ${CONNECTIONS} connections, autocannon ${DURATION} s per cell, off and on alternating ${ROUNDS} times (means)`,
    "",
    "| engine | scenario | off req/s | on req/s | on ÷ off | off p99 ms | on p99 ms | errors |",
    "|---|---|---|---|---|---|---|---|",
    ...load.map((r) => `| ${r.engine} | ${r.scenario} | ${Math.round(r.off)} | ${Math.round(r.on)} | ${(r.on / r.off).toFixed(2)} | ${Math.round(r.offP99)} | ${Math.round(r.onP99)} | ${r.errors} |`),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(eventsReport(await runEventsBench()));
  process.exit(0);
}
