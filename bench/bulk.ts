// Bulk writes (S6, S11, T3, T7): time and SQL statements per call for 1,000 SIMs, through the real
// GraphQL stack in-process. Statements must stay bounded: set-based writes, not a round trip per SIM.
// V1: of those, the event appends (the counter UPDATE and the Event INSERTs) are counted and timed
// apart: from the statement before the counter UPDATE completed to the last Event INSERT completed.
//   pnpm bench:bulk     BENCH_ENGINES=sqlite,postgresql
import { performance } from "node:perf_hooks";
import { createApp } from "../packages/server/src/app.ts";
import { loadConfig } from "../packages/server/src/config.ts";
import { createLogger } from "../packages/server/src/logger.ts";
import { freshDatabase, type Engine } from "./lib/databases.ts";
import { BENCH_PASSWORD, seed } from "./seed.ts";

const engines = (process.env.BENCH_ENGINES ?? "sqlite,postgresql").split(",") as Engine[];
const SIZE = 1000;
const ADMIN_SECRET = "bench-admin-secret-0123456789abcdef";
const rows: { engine: Engine; call: string; ms: number; statements: number; events: number; eventMs: number }[] = [];
// PostgreSQL's append is one statement per operator (counter, events, deliveries and the audit
// entry as data-modifying CTEs, events/append.ts): it counts as both.
const isCounterUpdate = (sql: string) => /^(WITH [\s\S]*?\bc AS \(\s*)?UPDATE "Operator" SET "lastEventSequence"/.test(sql);
const isEventInsert = (sql: string) => /^(WITH [\s\S]*)?INSERT INTO [\w."`]*\bEvent["`]? \(/.test(sql);

/** Every call here must work for every SIM: a refused SIM would be a cheaper, misleading figure. */
function allPassed(payload: { results: { userErrors: unknown[] }[]; userErrors: unknown[] }, call: string) {
  const refused = payload.results.filter((r) => r.userErrors.length > 0);
  if (payload.userErrors.length > 0 || refused.length > 0 || payload.results.length !== SIZE) throw new Error(`${call}: ${JSON.stringify([payload.userErrors, refused.slice(0, 3)])}`);
}

for (const engine of engines) {
  const database = await freshDatabase(engine);
  const [terminator, source, destination] = await seed(database.url, 3, 3 * SIZE, false);
  let counting = false;
  let statements = 0;
  let eventStatements = 0;
  let lastAt = 0;
  let eventStart = 0;
  let eventEnd = 0;
  const app = await createApp(loadConfig({ DATABASE_URL: database.url, LOG_LEVEL: "silent", SIMGATE_ADMIN_SECRET: ADMIN_SECRET, SIMGATE_KDF_MEMORY_KIB: "1024", SIMGATE_KDF_ITERATIONS: "1", SIMGATE_RATE_LIMIT_PER_CLIENT: "1000000", SIMGATE_RATE_LIMIT_PER_IP: "1000000", SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP: "1000000" }), {
    logger: createLogger("silent"),
    onQuery: (sql) => {
      if (!counting) return;
      statements++;
      const now = performance.now();
      const counter = isCounterUpdate(sql);
      const insert = isEventInsert(sql);
      if (counter || insert) eventStatements++;
      if (counter && eventStart === 0) eventStart = lastAt;
      if (insert) eventEnd = now;
      lastAt = now;
    },
  });
  const gql = async (query: string, variables: Record<string, unknown>, token?: string) => {
    const res = await app.handle(new Request("http://bench/graphql", {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify({ query, variables }),
    }));
    const body = (await res.json()) as { data?: any; errors?: unknown };
    if (body.errors) throw new Error(JSON.stringify(body.errors));
    return body.data;
  };
  const measure = async (call: string, run: () => Promise<unknown>) => {
    statements = 0;
    eventStatements = 0;
    eventStart = eventEnd = 0;
    counting = true;
    const start = performance.now();
    lastAt = start;
    await run();
    rows.push({ engine, call, ms: performance.now() - start, statements, events: eventStatements, eventMs: eventEnd - eventStart });
    counting = false;
  };
  try {
    const token = async (email: string) => (await gql(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email, password: BENCH_PASSWORD } })).authenticate.token as string;
    const simIds = async (operatorRowId: string) =>
      (await app.db.sim.findMany({ where: { operatorId: operatorRowId }, select: { id: true } })).map((s) => Buffer.from(`Sim:${s.id}`).toString("base64"));
    const [t1, t2, t3] = [await token(terminator!.email), await token(source!.email), await token(destination!.email)];
    await gql(`mutation { registerPaymentMethod(input: { type: CREDIT_CARD, cardLast4: "4242" }) { userErrors { code } } }`, {}, t3);
    await app.db.sim.updateMany({ where: { operatorId: terminator!.id }, data: { terminationProtected: false } });
    // The seed mixes statuses; only READY SIMs transfer (T1).
    await app.db.sim.updateMany({ where: { operatorId: source!.id }, data: { status: "READY" } });

    const toTerminate = await simIds(terminator!.id);
    await measure("terminateSims (1,000 SIMs)", () => gql(`mutation($ids: [ID!]!) { terminateSims(input: { simIds: $ids }) { results { userErrors { code } } } }`, { ids: toTerminate }, t1));
    const toTransfer = await simIds(source!.id);
    let transferToken = "";
    await measure("issueSimTransfer (1,000 SIMs)", async () => {
      const r = await gql(`mutation($i: IssueSimTransferInput!) { issueSimTransfer(input: $i) { userErrors { code } } }`, { i: { simIds: toTransfer, destinationOperatorId: destination!.operatorId, destinationEmail: destination!.email } }, t2);
      if (r.issueSimTransfer.userErrors.length > 0) throw new Error(JSON.stringify(r.issueSimTransfer.userErrors.slice(0, 3)));
    });
    transferToken = (await app.db.outboxMessage.findFirstOrThrow({ where: { kind: "SIM_TRANSFER_TOKEN" } })).token!;
    await measure("acceptSimTransfer (1,000 SIMs)", () => gql(`mutation($t: String!) { acceptSimTransfer(input: { token: $t }) { userErrors { code } } }`, { t: transferToken }, t3));

    // S11: an integrator's batch, 1,000 new SIMs registered, activated, tagged and untagged.
    const inventory = Array.from({ length: SIZE }, (_, i) => {
      const n = String(i).padStart(10, "0");
      return { imsi: `44999${n}`, iccid: `8981999${n}00`, subscription: "plan01s", coverage: i % 2 ? "JAPAN" : "GLOBAL", registrationSecret: `bench-secret-${n}` };
    });
    await gql(`mutation($i: AdminProvisionSimsInput!) { adminProvisionSims(input: $i) { userErrors { code } } }`, { i: { sims: inventory } }, ADMIN_SECRET);
    const bulkResults = `results { userErrors { code } } userErrors { code }`;
    let registered: string[] = [];
    await measure("registerSims (1,000 SIMs)", async () => {
      const r = await gql(`mutation($s: [RegisterSimInput!]!) { registerSims(input: { sims: $s }) { results { sim { id } userErrors { code } } userErrors { code } } }`, { s: inventory.map(({ imsi, registrationSecret }) => ({ imsi, registrationSecret })) }, t1);
      allPassed(r.registerSims, "registerSims");
      registered = r.registerSims.results.map((x: { sim: { id: string } }) => x.sim.id);
    });
    await measure("applySimAction ACTIVATE (1,000 SIMs)", async () => {
      const r = await gql(`mutation($ids: [ID!]!) { applySimAction(input: { simIds: $ids, action: ACTIVATE }) { ${bulkResults} } }`, { ids: registered }, t1);
      allPassed(r.applySimAction, "applySimAction");
    });
    await measure("addSimTags, 3 tags (1,000 SIMs)", async () => {
      const tags = [{ name: "site", value: "osaka-2" }, { name: "fleet", value: "north" }, { name: "batch", value: "2026-11" }];
      const r = await gql(`mutation($ids: [ID!]!, $tags: [SimTagInput!]!) { addSimTags(input: { simIds: $ids, tags: $tags }) { ${bulkResults} } }`, { ids: registered, tags }, t1);
      allPassed(r.addSimTags, "addSimTags");
    });
    await measure("removeSimTags, 2 names (1,000 SIMs)", async () => {
      const r = await gql(`mutation($ids: [ID!]!) { removeSimTags(input: { simIds: $ids, names: ["fleet", "batch"] }) { ${bulkResults} } }`, { ids: registered }, t1);
      allPassed(r.removeSimTags, "removeSimTags");
    });
  } finally {
    await app.close();
    await database.drop();
  }
}

console.log(`Bulk writes, one call each, in-process GraphQL (no HTTP), ${new Date().toISOString()}\n`);
console.log("| engine | call | ms | SQL statements | of which event appends | event append ms |");
console.log("|---|---|---|---|---|---|");
for (const r of rows) console.log(`| ${r.engine} | ${r.call} | ${r.ms.toFixed(0)} | ${r.statements} | ${r.events} | ${r.eventMs.toFixed(0)} |`);
