// Fresh databases for a benchmark run (PostgreSQL server from BENCH_PG_URL, default the local one).
import { createScratchDatabase, type Engine } from "../../scripts/scratch-database.ts";

export type { Engine };

export const pgAdminUrl = process.env.BENCH_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function freshDatabase(engine: Engine) {
  return createScratchDatabase(engine, pgAdminUrl, "bench");
}
