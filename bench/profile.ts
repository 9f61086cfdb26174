// `pnpm bench:profile`: a CPU profile of the compiled server under a short load of the
// benchmark's READ (or its WRITE, `updateSim` renaming random SIMs: PROFILE_SCENARIO=write), then
// the frames that take the time (bench/lib/cpuprofile.ts).
// Also prints the server's CPU time per request (user + system, from /proc), which a shared machine
// disturbs less than req/s does, its latency (p50, p99) and peak RSS. PROFILE_SAMPLE=0 measures
// those alone, without the profiler; BENCH_SERVER_NODE_ARGS adds Node.js flags to the server's
// (bench/http.ts).
//   PROFILE_SCENARIO=read PROFILE_ENGINE=sqlite PROFILE_SIMS=20000 PROFILE_DURATION=5 PROFILE_CONNECTIONS=10 PROFILE_DIR=./profiles
import { mkdirSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import autocannon from "autocannon";
import { stopChild } from "./lib/child-server.ts";
import { freshDatabase, type Engine } from "./lib/databases.ts";
import { summarise } from "./lib/cpuprofile.ts";
import { READ, WRITE, startSimgate } from "./http.ts";
import { BENCH_PASSWORD, seed } from "./seed.ts";

const engine = (process.env.PROFILE_ENGINE ?? "sqlite") as Engine;
const SIMS = Number(process.env.PROFILE_SIMS ?? 20_000);
const DURATION = Number(process.env.PROFILE_DURATION ?? 5);
const CONNECTIONS = Number(process.env.PROFILE_CONNECTIONS ?? 10);
const dir = resolve(process.env.PROFILE_DIR ?? "profiles");
const SAMPLE = process.env.PROFILE_SAMPLE !== "0";
const SCENARIO = process.env.PROFILE_SCENARIO ?? "read";
if (SCENARIO !== "read" && SCENARIO !== "write") throw new Error("PROFILE_SCENARIO is read or write");

/** CPU time the process has used, in ms (utime + stime of /proc/PID/stat, at 100 ticks a second). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
mkdirSync(dir, { recursive: true });

const database = await freshDatabase(engine);
try {
  const [operator] = await seed(database.url, 1, SIMS, false);
  const started = Date.now();
  const simgate = await startSimgate(database.url, SAMPLE ? ["--cpu-prof", `--cpu-prof-dir=${dir}`] : []);
  try {
    const post = async (query: string, variables: unknown, token?: string) => {
      const res = await fetch(`http://127.0.0.1:${simgate.port}/graphql`, {
        method: "POST",
        headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify({ query, variables }),
      });
      return (await res.json()) as { data?: any };
    };
    const auth = await post(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: operator!.email, password: BENCH_PASSWORD, tokenTimeoutSeconds: 172_800 } });
    const token = auth.data.authenticate.token as string;
    // WRITE renames the operator's first 100 SIMs in turn, a new body per request.
    let nextBody = () => JSON.stringify({ query: READ });
    if (SCENARIO === "write") {
      const page = await post(`{ viewer { sims(first: 100) { edges { node { id } } } } }`, {}, token);
      if (!page.data) throw new Error(`no SIMs to rename: ${JSON.stringify(page)}`);
      const ids = (page.data.viewer.sims.edges as { node: { id: string } }[]).map((e) => e.node.id);
      let n = 0;
      nextBody = () => JSON.stringify({ query: WRITE, variables: { input: { simId: ids[n % ids.length], name: `profile-${n++}` } } });
    }
    const cpuBefore = cpuMs(simgate.child.pid!);
    const result = await autocannon({
      url: `http://127.0.0.1:${simgate.port}/graphql`,
      connections: CONNECTIONS,
      duration: DURATION,
      requests: [{ method: "POST", headers: { "content-type": "application/json", authorization: `Bearer ${token}` }, setupRequest: (req: object) => ({ ...req, body: nextBody() }) }],
    });
    const cpu = cpuMs(simgate.child.pid!) - cpuBefore;
    const peakMb = Number(/VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${simgate.child.pid}/status`, "utf8"))![1]) / 1024;
    console.log(`${result.requests.average} req/s, ${result.errors + result.non2xx} errors, server CPU ${(cpu / result.requests.total).toFixed(2)} ms per request (${result.requests.total} requests), p50 ${result.latency.p50} ms, p99 ${result.latency.p99} ms, peak RSS ${peakMb.toFixed(0)} MB`);
  } finally {
    await stopChild(simgate.child);
  }
  if (SAMPLE) {
    const profile = readdirSync(dir).filter((f) => f.endsWith(".cpuprofile")).map((f) => join(dir, f)).find((f) => statSync(f).mtimeMs >= started);
    if (!profile) throw new Error(`no profile written in ${dir}`);
    console.log(`${profile}\n\n${summarise(profile, 40, SCENARIO === "write" ? "lockedSim" : "simPage")}`);
  }
} finally {
  await database.drop();
}
