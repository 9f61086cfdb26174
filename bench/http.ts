// `pnpm bench`: throughput and latency of Simgate's realistic read and write over HTTP, against
// baselines measured in the same run: (a) a bare node:http handler running the equivalent
// hand-written SQL through the same driver (the floor of the work), (b) a graphql-yoga hello world
// (the framework's ceiling) and (c) yoga executing the read document over its answer held in
// memory (what the executor alone costs for that shape). Simgate runs as its own process (`pnpm
// start`'s command) so its RSS is its own; the baselines run inside this process.
//   BENCH_ENGINES=sqlite,postgresql BENCH_SIMS=100000 BENCH_DURATION=10 BENCH_CONNECTIONS=1,10,50
import { spawn, type ChildProcess } from "node:child_process";
import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import autocannon from "autocannon";
import { createSchema, createYoga } from "graphql-yoga";
import { createDb, parseDatabaseUrl } from "../packages/schema/src/db/database.ts";
import { freshDatabase, type Engine } from "./lib/databases.ts";
import { startRawBaseline } from "./lib/raw-baseline.ts";
import { BENCH_PASSWORD, seed } from "./seed.ts";

const engines = (process.env.BENCH_ENGINES ?? "sqlite,postgresql").split(",") as Engine[];
const SIMS = Number(process.env.BENCH_SIMS ?? 100_000);
const DURATION = Number(process.env.BENCH_DURATION ?? 10);
const CONNECTIONS = (process.env.BENCH_CONNECTIONS ?? "1,10,50").split(",").map(Number);
const root = resolve(import.meta.dirname, "..");

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

export async function startSimgate(databaseUrl: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ["--import", "tsx", "packages/server/src/main.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: databaseUrl, PORT: "0", LOG_LEVEL: "info", NODE_ENV: "production", DATABASE_POOL_SIZE: "10", SIMGATE_ADMIN_SECRET: "",
      // Budgets counted (their cost is measured) but high enough never to refuse the load.
      SIMGATE_RATE_LIMIT_PER_CLIENT: "1000000", SIMGATE_RATE_LIMIT_PER_IP: "1000000", SIMGATE_RATE_LIMIT_PER_ACCOUNT: "1000000", SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP: "1000000" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await new Promise<number>((done, fail) => {
    let out = "";
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      const line = out.split("\n").find((l) => l.includes("Simgate listening"));
      if (line) done((JSON.parse(line) as { port: number }).port);
    });
    child.on("exit", (code) => fail(new Error(`server exited ${code}: ${out}`)));
  });
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
  const typeDefs = `type Query { viewer: Operator }
    type Operator { sims(first: Int, filter: SimFilter): SimConnection }
    input SimFilter { coverage: Coverage }
    enum Coverage { GLOBAL JAPAN }
    type SimConnection { totalCount: Int! edges: [SimEdge!]! }
    type SimEdge { node: Sim! }
    type Sim { id: ID! imsi: String! status: String! tags: [SimTag!]! expiry: SimExpiry }
    type SimTag { name: String! value: String! }
    type SimExpiry { action: String! }`;
  const viewer = (answer as { data: { viewer: unknown } }).data.viewer;
  const yoga = createYoga({ schema: createSchema({ typeDefs, resolvers: { Query: { viewer: () => viewer } } }), logging: false });
  const server = createServer(yoga);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { port: (server.address() as AddressInfo).port, close: () => new Promise((r) => server.close(() => r())) };
}

async function load(port: number, connections: number, token: string, body: () => string): Promise<Omit<Row, "engine" | "scenario" | "server" | "connections">> {
  const result = await autocannon({
    url: `http://127.0.0.1:${port}/graphql`,
    connections,
    duration: DURATION,
    requests: [{ method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, setupRequest: (req) => ({ ...req, body: body() }) }],
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

export async function runHttpBench(): Promise<{ rows: Row[]; rss: Record<string, { rss: number; peak: number }> }> {
  const rows: Row[] = [];
  const rss: Record<string, { rss: number; peak: number }> = {};
  for (const engine of engines) {
    const database = await freshDatabase(engine);
    const [operator] = await seed(database.url, 1, SIMS, false);
    const db = await createDb(parseDatabaseUrl(database.url));
    const simIds = (await db.sim.findMany({ where: { operatorId: operator!.id }, select: { id: true }, take: 5000 })).map((s) => Buffer.from(`Sim:${s.id}`).toString("base64"));
    await db.$disconnect();
    const simgate = await startSimgate(database.url);
    const raw = await startRawBaseline(engine, database.url);
    const hello = await startHello();
    let ceiling: Awaited<ReturnType<typeof startDocumentCeiling>> | undefined;
    try {
      process.stderr.write(`simgate on ${simgate.port}, raw on ${raw.port}\n`);
      const auth = await post(simgate.port, `mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: operator!.email, password: BENCH_PASSWORD, tokenTimeoutSeconds: 172_800 } });
      const token = auth.data.authenticate.token as string;
      // Same answers from both before timing them (ours also carries the query limits and cost in
      // `extensions`).
      const ours = await post(simgate.port, READ, {}, token);
      const floor = await post(raw.port, READ, {}, token);
      if (JSON.stringify(ours.data) !== JSON.stringify(floor.data)) throw new Error(`raw baseline differs:\n${JSON.stringify(ours).slice(0, 400)}\n${JSON.stringify(floor).slice(0, 400)}`);
      ceiling = await startDocumentCeiling(ours);
      if (JSON.stringify((await post(ceiling.port, READ, {})).data) !== JSON.stringify(ours.data)) throw new Error("the in-memory yoga baseline answers differently");
      const readBody = JSON.stringify({ query: READ });
      let n = 0;
      const writeBody = () => JSON.stringify({ query: WRITE, variables: { input: { simId: simIds[Math.floor(Math.random() * simIds.length)], name: `bench-${n++}` } } });
      for (const connections of CONNECTIONS) {
        for (const [server, port] of [["simgate", simgate.port], ["raw SQL (a)", raw.port], ["yoga hello (b)", hello.port], ["yoga, this document in memory (c)", ceiling.port]] as const) {
          const body = server === "yoga hello (b)" ? () => JSON.stringify({ query: "{ hello }" }) : () => readBody;
          rows.push({ engine, scenario: "read", server, connections, ...(await load(port, connections, token, body)) });
          process.stderr.write(`${engine} read ${server} c=${connections}: ${rows.at(-1)!.rps.toFixed(0)} req/s\n`);
        }
        for (const [server, port] of [["simgate", simgate.port], ["raw SQL (a)", raw.port]] as const) {
          rows.push({ engine, scenario: "write", server, connections, ...(await load(port, connections, token, writeBody)) });
          process.stderr.write(`${engine} write ${server} c=${connections}: ${rows.at(-1)!.rps.toFixed(0)} req/s\n`);
        }
      }
      rss[engine] = rssOf(simgate.child.pid!);
    } finally {
      simgate.child.kill("SIGTERM");
      await new Promise((r) => simgate.child.once("exit", r));
      await raw.close();
      await hello.close();
      await ceiling?.close();
      await database.drop();
    }
  }
  return { rows, rss };
}

export function report({ rows, rss }: Awaited<ReturnType<typeof runHttpBench>>): string {
  const lines = [
    `HTTP load: ${SIMS.toLocaleString("en")} SIMs, autocannon ${DURATION} s per cell, ${new Date().toISOString()}`,
    "",
    "| engine | scenario | connections | server | req/s | p50 ms | p99 ms | errors | req/s ÷ raw SQL |",
    "|---|---|---|---|---|---|---|---|---|",
  ];
  for (const r of rows) {
    const raw = rows.find((x) => x.engine === r.engine && x.scenario === r.scenario && x.connections === r.connections && x.server === "raw SQL (a)")!;
    lines.push(`| ${r.engine} | ${r.scenario} | ${r.connections} | ${r.server} | ${r.rps.toFixed(0)} | ${r.p50} | ${r.p99} | ${r.errors} | ${(r.rps / raw.rps).toFixed(2)} |`);
  }
  lines.push("", "| engine | Simgate server RSS at the end MB | peak RSS MB |", "|---|---|---|");
  for (const [engine, m] of Object.entries(rss)) lines.push(`| ${engine} | ${m.rss.toFixed(0)} | ${m.peak.toFixed(0)} |`);
  return lines.join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(report(await runHttpBench()));
}
