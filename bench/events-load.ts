// `pnpm bench:events` (also part of `pnpm bench`): what the push side costs.
// (a) Webhook deliveries per second: BENCH_HOOK_EVENTS events (addSimTags on 1,000 SIMs at a time,
//     one SIM_UPDATED each) fanned out to 1 and to 5 endpoints on loopback receivers answering 204
//     at once; timed from the first call sent to the last receipt, every webhook-id counted.
// (b) bench/http.ts's read and write documents (autocannon, BENCH_CONNECTIONS connections,
//     BENCH_DURATION s each) with events "off" (no subscriber, no endpoint) and "on" (2 SSE
//     subscribers to every event and 1 webhook endpoint receiving every event), same server; the
//     subscribers and the receiver run in a process of their own (lib/event-consumers.ts), and
//     each cell reports the server's CPU per request and the consumers' CPU.
// Simgate runs as its own process (`pnpm start`'s command, NODE_ENV=production).
//   BENCH_ENGINES=sqlite,postgresql BENCH_SIMS=100000 BENCH_DURATION=5 BENCH_CONNECTIONS=10 BENCH_HOOK_EVENTS=5000
//   BENCH_EVENTS_ROUNDS=2 (off/on pairs, in ABBA order), BENCH_EVENTS_WARMUP=2 (seconds of load before
//   the first cell), BENCH_EVENTS_ON=subscribers,endpoint (what "on" means), BENCH_EVENTS_SCENARIOS=read,write,
//   BENCH_EVENTS_PROFILE=<folder> (--cpu-prof the server), BENCH_EVENTS_CELLS=1 (each cell on stderr, with
//   its span on the monotonic clock a .cpuprofile's timestamps use, to split a profile by cell)
import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import autocannon from "autocannon";
import { createDb, parseDatabaseUrl } from "../packages/schema/src/db/database.ts";
import { stopChild } from "./lib/child-server.ts";
import { consumers } from "./lib/event-consumers.ts";
import { READ, WRITE, startSimgate } from "./http.ts";
import { freshDatabase, type Engine } from "./lib/databases.ts";
import { BENCH_PASSWORD, seed } from "./seed.ts";

const engines = (process.env.BENCH_ENGINES ?? "sqlite,postgresql").split(",") as Engine[];
const SIMS = Number(process.env.BENCH_SIMS ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 5);
const CONNECTIONS = Number((process.env.BENCH_CONNECTIONS ?? "10").split(",")[0]);
const HOOK_EVENTS = Number(process.env.BENCH_HOOK_EVENTS ?? 5000);
const FANOUTS = [1, 5];
const ROUNDS = Number(process.env.BENCH_EVENTS_ROUNDS ?? 2);
const WARMUP = Number(process.env.BENCH_EVENTS_WARMUP ?? 2);
// What "on" means (for finding where a cost comes from): subscribers, the endpoint, or both.
const ON = new Set((process.env.BENCH_EVENTS_ON ?? "subscribers,endpoint").split(","));
const SUBSCRIBERS = ON.has("subscribers") ? 2 : 0;
const SCENARIOS = (process.env.BENCH_EVENTS_SCENARIOS ?? "read,write").split(",") as ("read" | "write")[];
// BENCH_EVENTS_PROFILE=<folder>: the server runs with --cpu-prof and its profile is summarised at the end.
const PROFILE = process.env.BENCH_EVENTS_PROFILE;

interface Cell {
  rps: number;
  p99: number;
  errors: number;
  /** Server CPU per request, ms (all the server's work during the cell, deliveries and streams included). */
  cpuPerRequest: number;
  /** The server's main thread alone (the one serving requests), ms per request. */
  mainPerRequest: number;
  /** The consumers' process CPU during the cell, ms per second. */
  consumerCpu: number;
  /** Share of the machine's CPU time left idle during the cell (every core), %. */
  idle: number;
}
const gid = (id: string) => Buffer.from(`Sim:${id}`).toString("base64");

/** Server CPU time so far (user + system), ms, from /proc; with `mainThread`, its main thread's only. */
function cpuMsOf(pid: number, mainThread = false): number {
  const fields = readFileSync(mainThread ? `/proc/${pid}/task/${pid}/stat` : `/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime, stime in clock ticks (USER_HZ = 100)
}

/** The machine's idle and total CPU time so far, every core, in clock ticks (/proc/stat). */
function machineTicks(): { idle: number; total: number } {
  const ticks = readFileSync("/proc/stat", "utf8").split("\n")[0]!.trim().split(/\s+/).slice(1).map(Number);
  return { idle: ticks[3]! + (ticks[4] ?? 0), total: ticks.reduce((a, b) => a + b, 0) };
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
  /** Server CPU ms per request, off and on; its main thread's alone; the machine's idle share, %. */
  offCpu: number;
  onCpu: number;
  offMain: number;
  onMain: number;
  offIdle: number;
  onIdle: number;
  /** The consumers' CPU, ms per second, during the "on" cells. */
  consumerCpu: number;
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
    // Loopback receivers (V7's development switch); everything else at its defaults.
    const simgate = await startSimgate(database.url, PROFILE ? ["--cpu-prof", `--cpu-prof-dir=${PROFILE}`] : [], { SIMGATE_WEBHOOK_ALLOW_PRIVATE: "true" });
    const consumer = await consumers();
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
      const cell = async (scenario: "read" | "write", seconds = DURATION): Promise<Cell> => {
        const cpu0 = cpuMsOf(simgate.child.pid!);
        const main0 = cpuMsOf(simgate.child.pid!, true);
        const machine0 = machineTicks();
        const consumer0 = (await consumer.counts()).cpuMs;
        const startedUs = process.hrtime.bigint() / 1000n;
        const result = await autocannon({
          url: `${base}/graphql`,
          connections: CONNECTIONS,
          duration: seconds,
          requests: [{ method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, setupRequest: (req) => ({ ...req, body: bodies[scenario]() }) }],
        });
        const cpu = cpuMsOf(simgate.child.pid!) - cpu0;
        const main = cpuMsOf(simgate.child.pid!, true) - main0;
        const machine = machineTicks();
        const idle = (100 * (machine.idle - machine0.idle)) / Math.max(1, machine.total - machine0.total);
        const consumerCpu = ((await consumer.counts()).cpuMs - consumer0) / seconds;
        const requests = Math.max(1, result.requests.total);
        if (process.env.BENCH_EVENTS_CELLS) process.stderr.write(`${engine} ${scenario}: ${Math.round(result.requests.average)} req/s, main thread ${(main / requests).toFixed(2)} ms per request, idle ${Math.round(idle)} % (monotonic µs ${startedUs}–${process.hrtime.bigint() / 1000n})\n`);
        return { rps: result.requests.average, p99: result.latency.p99, errors: result.errors + result.non2xx, cpuPerRequest: cpu / requests, mainPerRequest: main / requests, consumerCpu, idle };
      };
      for (const scenario of SCENARIOS) await cell(scenario, WARMUP); // warm-up
      // Off and on alternate in ABBA order (off, on, on, off, off, on …): the database grows with
      // every write cell, and a plain off-on alternation would always give "on" the larger one.
      const sums = { off: { read: [] as Cell[], write: [] as Cell[] }, on: { read: [] as Cell[], write: [] as Cell[] } };
      const runOn = async (round: number) => {
        const before = await consumer.counts();
        const endpointId = ON.has("endpoint") ? await createEndpoint(token, consumer.url) : null;
        await consumer.subscribe(base, token, SUBSCRIBERS);
        for (const scenario of SCENARIOS) sums.on[scenario].push(await cell(scenario));
        // Every event of the "on" write cell reaches both subscribers and the endpoint before "off" again.
        let counts = await consumer.counts();
        const end = Date.now() + 120_000;
        while (Date.now() < end && ((endpointId !== null && counts.ids - before.ids < (counts.seen[0] ?? 0)) || counts.seen.some((n) => n !== counts.seen[0]))) {
          await new Promise((r) => setTimeout(r, 50));
          counts = await consumer.counts();
        }
        process.stderr.write(`${engine}: round ${round + 1}, events on: subscribers saw ${counts.seen.join(" and ")} events, the endpoint ${counts.ids - before.ids}\n`);
        await consumer.unsubscribe();
        if (endpointId) await deleteEndpoint(token, endpointId);
      };
      const runOff = async () => {
        for (const scenario of SCENARIOS) sums.off[scenario].push(await cell(scenario));
      };
      for (let round = 0; round < ROUNDS; round++) {
        if (round % 2 === 0) {
          await runOff();
          await runOn(round);
        } else {
          await runOn(round);
          await runOff();
        }
      }
      const mean = (cells: Cell[], key: Exclude<keyof Cell, "errors">) => cells.reduce((a, c) => a + c[key], 0) / cells.length;
      for (const scenario of SCENARIOS) {
        const errors = [...sums.off[scenario], ...sums.on[scenario]].reduce((a, c) => a + c.errors, 0);
        load.push({
          engine, scenario, off: mean(sums.off[scenario], "rps"), on: mean(sums.on[scenario], "rps"), offP99: mean(sums.off[scenario], "p99"), onP99: mean(sums.on[scenario], "p99"), errors,
          offCpu: mean(sums.off[scenario], "cpuPerRequest"), onCpu: mean(sums.on[scenario], "cpuPerRequest"),
          offMain: mean(sums.off[scenario], "mainPerRequest"), onMain: mean(sums.on[scenario], "mainPerRequest"),
          offIdle: mean(sums.off[scenario], "idle"), onIdle: mean(sums.on[scenario], "idle"), consumerCpu: mean(sums.on[scenario], "consumerCpu"),
        });
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
      consumer.close();
      if (PROFILE) {
        const started = Date.now() - 1;
        await stopChild(simgate.child);
        const { readdirSync, statSync } = await import("node:fs");
        const { summarise } = await import("./lib/cpuprofile.ts");
        const written = readdirSync(PROFILE).filter((f) => f.endsWith(".cpuprofile")).map((f) => `${PROFILE}/${f}`).sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
        if (written && statSync(written).mtimeMs >= started - 60_000) process.stderr.write(`${written}\n${summarise(written, 60)}\n`);
      }
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
    `HTTP load with events off and on: ${SIMS.toLocaleString("en")} SIMs, ${CONNECTIONS} connections, autocannon ${DURATION} s per cell, off and on alternating ${ROUNDS} times in ABBA order (means)`,
    "",
    "| engine | scenario | off req/s | on req/s | on ÷ off | off p99 ms | on p99 ms | errors | server CPU ms per request, off → on | main thread ms per request, off → on | machine idle %, off → on | consumers' CPU, ms per s |",
    "|---|---|---|---|---|---|---|---|---|---|---|---|",
    ...load.map(
      (r) =>
        `| ${r.engine} | ${r.scenario} | ${Math.round(r.off)} | ${Math.round(r.on)} | ${(r.on / r.off).toFixed(2)} | ${Math.round(r.offP99)} | ${Math.round(r.onP99)} | ${r.errors} | ${r.offCpu.toFixed(2)} → ${r.onCpu.toFixed(2)} | ${r.offMain.toFixed(2)} → ${r.onMain.toFixed(2)} | ${Math.round(r.offIdle)} → ${Math.round(r.onIdle)} | ${Math.round(r.consumerCpu)} |`,
    ),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(eventsReport(await runEventsBench()));
  process.exit(0);
}
