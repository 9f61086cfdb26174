// `pnpm bench:subscriptions` (also part of `pnpm bench`): how long an event takes from its commit
// to a subscriber, while bench/http.ts's read and write documents load the server. A probe client
// renames one SIM at a time; every subscriber (SSE and graphql-ws, SIM_UPDATED only, so they also
// receive every write of the load) must receive the probe's event before the next probe. Reported:
// mutation sent → event received (an upper bound of commit → received: it includes the
// mutation's own work), and mutation answered → event received (negative when the event arrives
// before the HTTP answer; clamped at 0).
//   BENCH_ENGINES=sqlite,postgresql BENCH_SUB_SIMS=10000 BENCH_SUB_PROBES=200 BENCH_SUB_SUBSCRIBERS=4
import autocannon from "autocannon";
import { createDb, parseDatabaseUrl } from "../packages/schema/src/db/database.ts";
import { subscribeSse, subscribeWs, wsClient, type OpenSubscription } from "../packages/server/test/support/subscriptions.ts";
import { READ, WRITE, startSimgate } from "./http.ts";
import { freshDatabase, type Engine } from "./lib/databases.ts";
import { BENCH_PASSWORD, seed } from "./seed.ts";

const engines = (process.env.BENCH_ENGINES ?? "sqlite,postgresql").split(",") as Engine[];
const SIMS = Number(process.env.BENCH_SUB_SIMS ?? 10_000);
const PROBES = Number(process.env.BENCH_SUB_PROBES ?? 200);
const SUBSCRIBERS = Number(process.env.BENCH_SUB_SUBSCRIBERS ?? 4);
const LOAD_CONNECTIONS = Number(process.env.BENCH_SUB_LOAD_CONNECTIONS ?? 10);

const SUBSCRIPTION = `subscription { events(types: [SIM_UPDATED]) { sequence imsi } }`;

const percentile = (values: number[], p: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
};

export interface SubscriptionRow {
  engine: Engine;
  probes: number;
  subscribers: number;
  loadRps: number;
  sentP50: number;
  sentP99: number;
  answeredP50: number;
  answeredP99: number;
}

async function waitFor(sub: OpenSubscription, imsi: string): Promise<number> {
  for (;;) {
    const result = await sub.next(10_000);
    if (!result) throw new Error("subscription ended");
    if (result.errors) throw new Error(JSON.stringify(result.errors));
    if (result.data.events.imsi === imsi) return performance.now();
  }
}

export async function runSubscriptionBench(): Promise<SubscriptionRow[]> {
  const rows: SubscriptionRow[] = [];
  for (const engine of engines) {
    const database = await freshDatabase(engine);
    const [operator] = await seed(database.url, 1, SIMS, false);
    const db = await createDb(parseDatabaseUrl(database.url), { poolSize: 2 });
    const sims = await db.sim.findMany({ where: { operatorId: operator!.id }, select: { id: true, imsi: true }, take: 2000 });
    await db.$disconnect();
    const gid = (id: string) => Buffer.from(`Sim:${id}`).toString("base64");
    const [probe, ...loadSims] = sims;
    const simgate = await startSimgate(database.url);
    const base = `http://127.0.0.1:${simgate.port}`;
    try {
      const post = async (query: string, variables: unknown, token?: string) =>
        (await (
          await fetch(`${base}/graphql`, { method: "POST", headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) }, body: JSON.stringify({ query, variables }) })
        ).json()) as any;
      const token = (await post(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: operator!.email, password: BENCH_PASSWORD } })).data.authenticate.token as string;
      const subs: OpenSubscription[] = [];
      for (let i = 0; i < SUBSCRIBERS; i += 1) {
        subs.push(i % 2 === 0 ? await subscribeSse(base, SUBSCRIPTION, {}, token) : subscribeWs(wsClient(base, token), SUBSCRIPTION, {}));
      }
      await new Promise((r) => setTimeout(r, 500));
      let n = 0;
      const writeBody = () => JSON.stringify({ query: WRITE, variables: { input: { simId: gid(loadSims[n % loadSims.length]!.id), name: `load-${n++}` } } });
      const headers = { "content-type": "application/json", authorization: `Bearer ${token}` };
      const loads = [READ, null].map((read) =>
        autocannon({
          url: `${base}/graphql`,
          connections: LOAD_CONNECTIONS,
          duration: 3600,
          requests: [{ method: "POST", headers, setupRequest: (req) => ({ ...req, body: read ? JSON.stringify({ query: read }) : writeBody() }) }],
        }),
      );
      await new Promise((r) => setTimeout(r, 1000));
      const sent: number[] = [];
      const answered: number[] = [];
      const started = performance.now();
      for (let i = 0; i < PROBES; i += 1) {
        const received = subs.map((s) => waitFor(s, probe!.imsi));
        const t0 = performance.now();
        const out = await post(WRITE, { input: { simId: gid(probe!.id), name: `probe-${i}` } }, token);
        if (out.errors || out.data.updateSim.userErrors.length) throw new Error(JSON.stringify(out));
        const t1 = performance.now();
        for (const at of await Promise.all(received)) {
          sent.push(at - t0);
          answered.push(Math.max(0, at - t1));
        }
      }
      const seconds = (performance.now() - started) / 1000;
      for (const l of loads) (l as unknown as { stop(): void }).stop();
      const results = await Promise.all(loads);
      const loadRps = results.reduce((sum, r) => sum + r.requests.total, 0) / seconds;
      await Promise.all(subs.map((s) => s.close()));
      rows.push({
        engine,
        probes: PROBES,
        subscribers: SUBSCRIBERS,
        loadRps: Math.round(loadRps),
        sentP50: percentile(sent, 50),
        sentP99: percentile(sent, 99),
        answeredP50: percentile(answered, 50),
        answeredP99: percentile(answered, 99),
      });
    } finally {
      simgate.child.kill("SIGKILL");
      await database.drop();
    }
  }
  return rows;
}

export function subscriptionReport(rows: SubscriptionRow[]): string {
  const ms = (v: number) => v.toFixed(1);
  return [
    "| engine | subscribers | probes | load req/s (read + write) | sent → received p50 / p99 ms | answered → received p50 / p99 ms |",
    "|---|---|---|---|---|---|",
    ...rows.map((r) => `| ${r.engine} | ${r.subscribers} | ${r.probes} | ${r.loadRps} | ${ms(r.sentP50)} / ${ms(r.sentP99)} | ${ms(r.answeredP50)} / ${ms(r.answeredP99)} |`),
  ].join("\n");
}

if (import.meta.url === `file://${process.argv[1]}`) {
  console.log(subscriptionReport(await runSubscriptionBench()));
  process.exit(0);
}
