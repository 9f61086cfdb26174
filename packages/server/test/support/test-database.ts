// A fresh, migrated database per test file: a temporary SQLite file, or a new PostgreSQL database
// when SIMGATE_TEST_DB=postgres (server from SIMGATE_TEST_PG_URL, default the local one).
import { createScratchDatabase, type Engine, type ScratchDatabase } from "../../../../scripts/scratch-database.ts";

export type TestEngine = Engine;

export const testEngine: TestEngine = process.env.SIMGATE_TEST_DB === "postgres" ? "postgresql" : "sqlite";

const pgAdminUrl = process.env.SIMGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export function createTestDatabase(): Promise<ScratchDatabase> {
  return createScratchDatabase(testEngine, pgAdminUrl, "test");
}
