// `pnpm bench`: throughput and latency of Simgate's realistic read and write over HTTP, against
// baselines measured in the same run: (a) a bare node:http handler running the equivalent
// hand-written SQL through the same driver (the floor of the work), (b) a graphql-yoga hello world
// (the framework's ceiling), (c) yoga executing the read document over its answer held in
// memory (what the executor alone costs for that shape), on PostgreSQL, (d) a peer product:
// PostGraphile V5 over the same tables (bench/lib/postgraphile-peer.ts; its own process on
// Node.js 24), and (e) yoga running (a)'s statements from plain resolvers, (f) the same compiled as
// Simgate compiles (bench/lib/yoga-over-sql.ts; each its own process, with `pnpm start`'s Node.js
// flags): the least a yoga server doing the read's work costs. Simgate runs as its own process
// (`pnpm start`'s command: the compiled bundle) so its RSS is its own; baselines (a)-(c) run inside
// this process.
//   BENCH_ENGINES=sqlite,postgresql BENCH_SIMS=100000 BENCH_DURATION=10 BENCH_CONNECTIONS=1,10,50
//   BENCH_PEER=0 leaves out (d). Simgate starts as `pnpm start` starts it (package.json's flags);
//   BENCH_SERVER_NODE_ARGS="--flag …" adds Node.js flags after those (a flag given twice: the
//   later wins), to weigh heap sizes, say.
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import autocannon from "autocannon";
import { createSchema, createYoga } from "graphql-yoga";
import { createDb, parseDatabaseUrl } from "../packages/schema/src/db/database.ts";
import { startArgs } from "../scripts/start-command.mjs";
import { listeningPort, stopChild } from "./lib/child-server.ts";
import { freshDatabase, type Engine } from "./lib/databases.ts";
import { PEER_READ, startPostGraphile, type PeerAnswer } from "./lib/postgraphile-peer.ts";
import { startRawBaseline } from "./lib/raw-baseline.ts";
import { READ_TYPES, startYogaOverSql } from "./lib/yoga-over-sql.ts";
import { BENCH_PASSWORD, seed } from "./seed.ts";

const engines = (process.env.BENCH_ENGINES ?? "sqlite,postgresql").split(",") as Engine[];
const SIMS = Number(process.env.BENCH_SIMS ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "1,10,50").split(",").map(Number);
const PEER = process.env.BENCH_PEER !== "0";
const SERVER_NODE_ARGS = (process.env.BENCH_SERVER_NODE_ARGS ?? "").split(" ").filter(Boolean);
const root = resolve(import.meta.dirname, "..");
const PEER_SERVER = "PostGraphile V5 (d)";
const YOGA_OVER_SQL = "yoga over the same SQL (e)";
const COMPILED_OVER_SQL = "yoga over the same SQL, compiled (f)";

export const READ = `query { viewer { sims(first: 50, filter: { coverage: GLOBAL }) { totalCount edges { node { id imsi status tags { name value } expiry { action } } } } } }`;
export const WRITE = `mutation($input: UpdateSimInput!) { updateSim(input: $input) { sim { id name } userErrors { code } } }`;

export interface Row {
  engine: Engine;
  scenario: "read" | "write";
  server: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  errors: number;
}

export async function startSimgate(databaseUrl: string, nodeArgs: string[] = [], extraEnv: Record<string, string> = {}): Promise<{ child: ChildProcess; port: number }> {
  // `pnpm start`'s own command line, its Node.js flags included; BENCH_SERVER_NODE_ARGS come after
  // those, so one of the same name wins.
  const start = startArgs();
  const child = spawn(process.execPath, [...nodeArgs, ...start.slice(0, -1), ...SERVER_NODE_ARGS, start.at(-1)!], {
    cwd: root,
    env: { ...process.env, ...extraEnv, DATABASE_URL: databaseUrl, PORT: "0", LOG_LEVEL: "info", NODE_ENV: "production", DATABASE_POOL_SIZE: "10", SIMGATE_ADMIN_SECRET: "",
      // Budgets counted (their cost is measured) but high enough never to refuse the load.
      SIMGATE_RATE_LIMIT_PER_CLIENT: "1000000", SIMGATE_RATE_LIMIT_PER_IP: "1000000", SIMGATE_RATE_LIMIT_PER_ACCOUNT: "1000000", SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP: "1000000" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await listeningPort(child, "Simgate", (line) => line.includes("Simgate listening"));
  return { child, port };
}

function rssOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (field: string) => Number(status.match(new RegExp(`${field}:\\s+(\\d+)`))![1]) / 1024;
  return { rss: kb("VmRSS"), peak: kb("VmHWM") };
}

async function startHello(): Promise<{ port: number; close(): Promise<void> }> {
  const yoga = createYoga({ schema: createSchema({ typeDefs: "type Query { hello: String! }", resolvers: { Query: { hello: () => "world" } } }), logging: false });
  const server = createServer(yoga);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

/**
 * Baseline (c): yoga executing the benchmark's read document over the answer held in memory (the
 * same JSON, no database, no auth). What graphql-js and yoga cost for this document's shape: no
 * resolver can make Simgate faster than this.
 */
async function startDocumentCeiling(answer: unknown): Promise<{ port: number; close(): Promise<void> }> {
  const viewer = (answer as { data: { viewer: unknown } }).data.viewer;
  const yoga = createYoga({ schema: createSchema({ typeDefs: READ_TYPES, resolvers: { Query: { viewer: () => viewer } } }), logging: false });
  const server = createServer(yoga);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

async function load(port: number, connections: number, token: string | undefined, body: () => string): Promise<Omit<Row, "engine" | "scenario" | "server" | "connections">> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/graphql`,
    connections,
    duration: DURATION,
    requests: [{ method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, setupRequest: (req) => ({ ...req, body: body() }) }],
  });
  return { rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.non2xx };
}

async function post(port: number, query: string, variables: unknown, token?: string) {
  const res = await fetch(`http://127.0.0.1:${port}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: any; errors?: unknown };
}

/** Checks that the peer lists the same SIMs, in the same order, as Simgate's READ answer. */
function checkPeer(ours: { data?: any }, peer: PeerAnswer): void {
  const mine = ours.data.viewer.sims as { totalCount: number; edges: { node: { imsi: string; status: string; tags: unknown; expiry: { action: string } | null } }[] };
  const theirs = peer.data?.allSims;
  if (!theirs) throw new Error(`PostGraphile answered with errors: ${JSON.stringify(peer).slice(0, 400)}`);
  const a = mine.edges.map((e) => ({ imsi: e.node.imsi, status: e.node.status, tags: e.node.tags, expiry: e.node.expiry?.action ?? null }));
  const b = theirs.nodes.map((n) => ({ imsi: n.imsi, status: n.status, tags: n.simTagsBySimId.nodes, expiry: n.expiryAction }));
  if (a.length !== 50 || JSON.stringify(a) !== JSON.stringify(b) || mine.totalCount !== theirs.totalCount) {
    throw new Error(`PostGraphile lists other SIMs:\n${JSON.stringify(a).slice(0, 400)}\n${JSON.stringify(b).slice(0, 400)}\n${mine.totalCount} vs ${theirs.totalCount}`);
  }
}

/** Simgate's resident memory, MB: idle after start and one request of each kind, just after the load, and its peak (also after each number of connections). */
interface Memory {
  idle: number;
  rss: number;
  peak: number;
  peaks: Record<number, number>;
}

export async function runHttpBench(): Promise<{ rows: Row[]; rss: Record<string, Memory>; peer?: string }> {
  const rows: Row[] = [];
  const rss: Record<string, Memory> = {};
  let peerVersion: string | undefined;
  for (const engine of engines) {
    const database = await freshDatabase(engine);
    const [operator] = await seed(database.url, 1, SIMS, false);
    const db = await createDb(parseDatabaseUrl(database.url));
    const simIds = (await db.sim.findMany({ where: { operatorId: operator!.id }, select: { id: true }, take: 5000 })).map((s) => Buffer.from(`Sim:${s.id}`).toString("base64"));
    await db.$disconnect();
    const simgate = await startSimgate(database.url);
    const raw = await startRawBaseline(engine, database.url);
    const hello = await startHello();
    const overSql = await startYogaOverSql(engine, database.url, startArgs().slice(0, -1), false);
    const compiledOverSql = await startYogaOverSql(engine, database.url, startArgs().slice(0, -1), true);
    let ceiling: Awaited<ReturnType<typeof startDocumentCeiling>> | undefined;
    let peer: Awaited<ReturnType<typeof startPostGraphile>> | undefined;
    try {
      process.stderr.write(`simgate on ${simgate.port}, raw on ${raw.port}\n`);
      const auth = await post(simgate.port, `mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: operator!.email, password: BENCH_PASSWORD, tokenTimeoutSeconds: 172_800 } });
      const token = auth.data.authenticate.token as string;
      // Same answers from both before timing them (ours also carries the query limits and cost in
      // `extensions`).
      const ours = await post(simgate.port, READ, {}, token);
      const floor = await post(raw.port, READ, {}, token);
      if (JSON.stringify(ours.data) !== JSON.stringify(floor.data)) throw new Error(`raw baseline differs:\n${JSON.stringify(ours).slice(0, 400)}\n${JSON.stringify(floor).slice(0, 400)}`);
      for (const port of [overSql.port, compiledOverSql.port]) {
        const answer = await post(port, READ, {}, token);
        if (JSON.stringify(ours.data) !== JSON.stringify(answer.data)) throw new Error(`yoga over the same SQL differs:\n${JSON.stringify(answer).slice(0, 400)}`);
      }
      await post(simgate.port, WRITE, { input: { simId: simIds[0], name: "bench-idle" } }, token);
      await new Promise((r) => setTimeout(r, 2000));
      const idle = rssOf(simgate.child.pid!).rss;
      ceiling = await startDocumentCeiling(ours);
      if (JSON.stringify((await post(ceiling.port, READ, {})).data) !== JSON.stringify(ours.data)) throw new Error("the in-memory yoga baseline answers differently");
      const readBody = JSON.stringify({ query: READ });
      const peerBody = JSON.stringify({ query: PEER_READ, variables: { operatorId: operator!.id } });
      if (PEER && engine === "postgresql") {
        peer = await startPostGraphile(database.url);
        peerVersion = `postgraphile 5.1.5 on Node.js ${peer.version}`;
        process.stderr.write(`PostGraphile on ${peer.port} (${peer.version})\n`);
        const res = await fetch(`http://127.0.0.1:${peer.port}/graphql`, { method: "POST", headers: { "content-type": "application/json" }, body: peerBody });
        checkPeer(ours, (await res.json()) as PeerAnswer);
      }
      const peaks: Record<number, number> = {};
      let n = 0;
      const writeBody = () => JSON.stringify({ query: WRITE, variables: { input: { simId: simIds[Math.floor(Math.random() * simIds.length)], name: `bench-${n++}` } } });
      for (const connections of CONNECTIONS) {
        const readers: [string, number][] = [["simgate", simgate.port], ["raw SQL (a)", raw.port], ["yoga hello (b)", hello.port], ["yoga, this document in memory (c)", ceiling.port], [YOGA_OVER_SQL, overSql.port], [COMPILED_OVER_SQL, compiledOverSql.port]];
        if (peer) readers.push([PEER_SERVER, peer.port]);
        for (const [server, port] of readers) {
          const body = server === "yoga hello (b)" ? () => JSON.stringify({ query: "{ hello }" }) : server === PEER_SERVER ? () => peerBody : () => readBody;
          rows.push({ engine, scenario: "read", server, connections, ...(await load(port, connections, server === PEER_SERVER ? undefined : token, body)) });
          process.stderr.write(`${engine} read ${server} c=${connections}: ${rows.at(-1)!.rps.toFixed(0)} req/s\n`);
        }
        for (const [server, port] of [["simgate", simgate.port], ["raw SQL (a)", raw.port]] as const) {
          rows.push({ engine, scenario: "write", server, connections, ...(await load(port, connections, token, writeBody)) });
          process.stderr.write(`${engine} write ${server} c=${connections}: ${rows.at(-1)!.rps.toFixed(0)} req/s\n`);
        }
        peaks[connections] = rssOf(simgate.child.pid!).peak;
      }
      rss[engine] = { idle, ...rssOf(simgate.child.pid!), peaks };
    } finally {
      await stopChild(simgate.child);
      await raw.close();
      await overSql.close();
      await compiledOverSql.close();
      await hello.close();
      await ceiling?.close();
      await peer?.close();
      await database.drop();
    }
  }
  return { rows, rss, peer: peerVersion };
}

export function report({ rows, rss, peer }: Awaited<ReturnType<typeof runHttpBench>>): string {
  const lines = [
    `HTTP load: ${SIMS.toLocaleString("en")} SIMs, autocannon ${DURATION} s per cell, ${new Date().toISOString()}, Node.js ${process.version}${peer ? `; peer: ${peer}` : ""}`,
    "",
    "| engine | scenario | connections | server | req/s | p50 ms | p99 ms | errors | req/s ÷ raw SQL | Simgate ÷ this |",
    "|---|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const same = (server: string) => rows.find((x) => x.engine === r.engine && x.scenario === r.scenario && x.connections === r.connections && x.server === server);
    const raw = same("raw SQL (a)")!;
    const simgate = same("simgate")!;
    const versus = r.server === "simgate" ? "" : (simgate.rps / r.rps).toFixed(2);
    lines.push(`| ${r.engine} | ${r.scenario} | ${r.connections} | ${r.server} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${(r.rps / raw.rps).toFixed(2)} | ${versus} |`);
  }
  lines.push("", `Simgate's process${SERVER_NODE_ARGS.length > 0 ? ` (started with ${SERVER_NODE_ARGS.join(" ")})` : ""}:`, "", `| engine | RSS idle after start MB | ${CONNECTIONS.map((c) => `peak RSS MB after the ${c}-connection cells`).join(" | ")} | RSS at the end MB |`, `|---|---|${CONNECTIONS.map(() => "---|").join("")}---|`);
  for (const [engine, m] of Object.entries(rss)) lines.push(`| ${engine} | ${m.idle.toFixed(0)} | ${CONNECTIONS.map((c) => (m.peaks[c] ?? 0).toFixed(0)).join(" | ")} | ${m.rss.toFixed(0)} |`);
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(report(await runHttpBench()));
}
