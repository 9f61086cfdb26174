// Does a filtered page cost the same on 1,000,000 SIMs of one operator as on 1,000 (S1, indexes)?
// For each engine and size: a fresh database, one operator, N seeded SIMs, then the listing read
// through the real GraphQL stack (in-process, no HTTP), timed over repeated runs.
//   pnpm bench:listing            BENCH_SIZES=1000,1000000  BENCH_ENGINES=sqlite,postgresql
import { performance } from "node:perf_hooks";
import { createApp } from "../packages/server/src/app.ts";
import { loadConfig } from "../packages/server/src/config.ts";
import { createLogger } from "../packages/server/src/logger.ts";
import { encodeCursor } from "../packages/schema/src/sims/keyset.ts";
import { issueToken } from "../packages/schema/src/auth/sessions.ts";
import { freshDatabase, type Engine } from "./lib/databases.ts";
import { seedSims } from "./lib/seed-sims.ts";

const sizes = (process.env.BENCH_SIZES ?? "1000,10000,100000,1000000").split(",").map(Number);
const engines = (process.env.BENCH_ENGINES ?? "sqlite,postgresql").split(",") as Engine[];
const RUNS = Number(process.env.BENCH_RUNS ?? 40);

const FIELDS = "edges { cursor node { id imsi status tags { name value } } }";
const queries: Record<string, string> = {
  "page 1, coverage GLOBAL": `query($after: String) { viewer { sims(first: 50, after: $after, filter: { coverage: GLOBAL }) { ${FIELDS} } } }`,
  "page 1, GLOBAL + status READY": `query($after: String) { viewer { sims(first: 50, after: $after, filter: { coverage: GLOBAL, status: [READY] }) { ${FIELDS} } } }`,
  "page 1, tag site=site-7": `query($after: String) { viewer { sims(first: 50, after: $after, filter: { tag: { name: "site", value: "site-7" } }) { ${FIELDS} } } }`,
  "page 1,000 (cursor; the last page when there are fewer), GLOBAL": `query($after: String) { viewer { sims(first: 50, after: $after, filter: { coverage: GLOBAL }) { ${FIELDS} } } }`,
  "page 1, GLOBAL, with totalCount": `query($after: String) { viewer { sims(first: 50, after: $after, filter: { coverage: GLOBAL }) { totalCount ${FIELDS} } } }`,
  // U4: a user allowed Sim:read on sim:tag:site=site-7* (a tenth of the SIMs): its scope is an EXISTS on SimTag.
  "scoped user (tag prefix), page 1": `query($after: String) { viewer { sims(first: 50, after: $after) { ${FIELDS} } } }`,
  "scoped user (tag prefix), page 1, JAPAN": `query($after: String) { viewer { sims(first: 50, after: $after, filter: { coverage: JAPAN }) { ${FIELDS} } } }`,
  "scoped user (tag prefix), page 1, with totalCount": `query($after: String) { viewer { sims(first: 50, after: $after) { totalCount ${FIELDS} } } }`,
};

const SCOPED_STATEMENTS = [{ effect: "ALLOW", actions: ["Sim:read"], resources: ["sim:tag:site=site-7*"] }];

interface Row {
  engine: Engine;
  sims: number;
  query: string;
  median: number;
  p95: number;
}

const rows: Row[] = [];

for (const engine of engines) {
  for (const size of sizes) {
    const database = await freshDatabase(engine);
    const app = await createApp(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: "silent", SIMGATE_KDF_MEMORY_KIB: "1024", SIMGATE_KDF_ITERATIONS: "1", SIMGATE_RATE_LIMIT_PER_CLIENT: "1000000", SIMGATE_RATE_LIMIT_PER_IP: "1000000", SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP: "1000000" }), {
      logger: createLogger("silent"),
    });
    try {
      const gql = async (query: string, variables: Record<string, unknown> = {}, token?: string) => {
        const response = await app.handle(
          new Request("http://bench/graphql", {
            method: "POST",
            headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
            body: JSON.stringify({ query, variables }),
          }),
        );
        const body = (await response.json()) as { data?: any; errors?: unknown };
        if (body.errors) throw new Error(JSON.stringify(body.errors));
        return body.data;
      };
      const signUp = await gql(`mutation { signUp(input: { email: "bench@example.com", password: "bench password", name: "Bench" }) { token operator { operatorId } } }`);
      const token = signUp.signUp.token as string;
      const operator = await app.db.operator.findUniqueOrThrow({ where: { operatorId: signUp.signUp.operator.operatorId } });
      const seeded = performance.now();
      await seedSims({ engine, url: database.url, operatorRowId: operator.id, prefix: 1 }, size);
      process.stderr.write(`${engine}: seeded ${size.toLocaleString("en")} SIMs in ${((performance.now() - seeded) / 1000).toFixed(1)} s\n`);

      // The cursor that opens page 1,000 (after 999 × 50 SIMs), or the last full page, as the API hands it out.
      const globals = size / 2;
      const skip = Math.min(999 * 50, globals - 50) - 1;
      const middle = await app.db.sim.findFirstOrThrow({ where: { coverage: "GLOBAL" }, orderBy: [{ registeredAt: "asc" }, { id: "asc" }], skip });
      const middleCursor = encodeCursor({ field: "CREATED_AT", descending: false }, middle);

      // A user (U1) made directly: the users API is not needed to measure its scoped reads.
      const user = await app.db.user.create({ data: { operatorId: operator.id, name: "bench-user", permissions: JSON.stringify(SCOPED_STATEMENTS) } });
      const userToken = (await app.db.$transaction((tx) => issueToken(tx, { operatorId: operator.id, actor: "user:bench-user", userId: user.id }, 3600, new Date()))).token;

      for (const [name, query] of Object.entries(queries)) {
        const variables = name.startsWith("page 1,000") ? { after: middleCursor } : {};
        const caller = name.startsWith("scoped user") ? userToken : token;
        const first = await gql(query, variables, caller);
        if (first.viewer.sims.edges.length !== 50) throw new Error(`${name}: expected a full page, got ${first.viewer.sims.edges.length}`);
        for (let i = 0; i < 5; i++) await gql(query, variables, caller);
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const start = performance.now();
          await gql(query, variables, caller);
          times.push(performance.now() - start);
        }
        times.sort((a, b) => a - b);
        rows.push({ engine, sims: size, query: name, median: times[Math.floor(times.length / 2)]!, p95: times[Math.floor(times.length * 0.95)]! });
      }
    } finally {
      await app.close();
      await database.drop();
    }
  }
}

console.log(`\nSIM listing by data size: ${RUNS} runs each, in-process GraphQL (no HTTP), ${new Date().toISOString()}\n`);
console.log("| engine | query | " + sizes.map((s) => `${s.toLocaleString("en")} SIMs median / p95 ms`).join(" | ") + " | ratio (largest / smallest median) |");
console.log("|---|---|" + sizes.map(() => "---|").join("") + "---|");
for (const engine of engines) {
  for (const query of Object.keys(queries)) {
    const cells = sizes.map((s) => rows.find((r) => r.engine === engine && r.sims === s && r.query === query)!);
    const ratio = cells.at(-1)!.median / cells[0]!.median;
    console.log(`| ${engine} | ${query} | ${cells.map((c) => `${c.median.toFixed(2)} / ${c.p95.toFixed(2)}`).join(" | ")} | ${ratio.toFixed(2)} |`);
  }
}
