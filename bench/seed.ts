// `pnpm seed --operators 10 --sims 1000000 [--database-url file:./data/bench.db]`
// Creates N operators (ops-<n>@bench.example, password "bench password") and M SIMs spread over
// them, with tags and history, straight in the database, showing progress.
import { parseArgs } from "node:util";
import { performance } from "node:perf_hooks";
import { createDb, parseDatabaseUrl } from "../packages/schema/src/db/database.ts";
import { migrate } from "../packages/schema/src/db/migrate.ts";
import { hashSecret } from "../packages/schema/src/domain/credentials.ts";
import { newOperatorId } from "../packages/schema/src/domain/operator-id.ts";
import { analyze, seedSimRange } from "./lib/seed-sims.ts";

export const BENCH_PASSWORD = "bench password";
const CHUNK = 50_000;

export interface SeededOperator {
  id: string;
  operatorId: string;
  email: string;
}

/** Seeds into an existing (or new, for SQLite) database; returns the operators made. */
export async function seed(databaseUrl: string, operators: number, sims: number, progress = true): Promise<SeededOperator[]> {
  const target = parseDatabaseUrl(databaseUrl);
  await migrate(target);
  const db = await createDb(target);
  const made: SeededOperator[] = [];
  const passwordHash = await hashSecret(BENCH_PASSWORD, { memoryKiB: 1024, iterations: 1 });
  try {
    const base = await db.operator.count();
    for (let n = 0; n < operators; n++) {
      const email = `ops-${base + n}@bench.example`;
      const op = await db.operator.create({
        data: {
          operatorId: newOperatorId(),
          name: `Bench operator ${base + n}`,
          passwordHash,
          emailAddresses: { create: { address: email, normalized: email, primaryOf: email, verifiedAt: new Date() } },
        },
      });
      made.push({ id: op.id, operatorId: op.operatorId, email });
    }
  } finally {
    await db.$disconnect();
  }
  const started = performance.now();
  let done = 0;
  const perOperator = Math.floor(sims / operators);
  for (const [n, op] of made.entries()) {
    const own = n === made.length - 1 ? sims - perOperator * (made.length - 1) : perOperator;
    for (let first = 1; first <= own; first += CHUNK) {
      const last = Math.min(own, first + CHUNK - 1);
      await seedSimRange({ engine: target.provider, url: databaseUrl, operatorRowId: op.id, prefix: (n + 1) % 1000 }, first, last);
      done += last - first + 1;
      if (progress) bar(done, sims, started);
    }
  }
  await analyze({ engine: target.provider, url: databaseUrl });
  if (progress) process.stderr.write(`\n${sims.toLocaleString("en")} SIMs for ${operators} operators in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
  return made;
}

function bar(done: number, total: number, started: number): void {
  const width = 30;
  const filled = Math.round((done / total) * width);
  const rate = done / ((performance.now() - started) / 1000);
  process.stderr.write(`\r[${"#".repeat(filled)}${".".repeat(width - filled)}] ${done.toLocaleString("en")} / ${total.toLocaleString("en")} SIMs, ${Math.round(rate).toLocaleString("en")}/s  `);
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { values } = parseArgs({
    options: { operators: { type: "string", default: "1" }, sims: { type: "string", default: "100000" }, "database-url": { type: "string", default: "file:./data/bench.db" } },
  });
  const ops = await seed(values["database-url"]!, Number(values.operators), Number(values.sims));
  for (const op of ops.slice(0, 3)) console.log(`${op.operatorId}  ${op.email}  password: ${BENCH_PASSWORD}`);
}
