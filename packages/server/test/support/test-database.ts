// A fresh, migrated database per test file: a temporary SQLite file, or a new PostgreSQL database
// when SIMGATE_TEST_DB=postgres (server from SIMGATE_TEST_PG_URL, default the local one).
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export type TestEngine = "sqlite" | "postgresql";

export const testEngine: TestEngine = process.env.SIMGATE_TEST_DB === "postgres" ? "postgresql" : "sqlite";

const pgAdminUrl = process.env.SIMGATE_TEST_PG_URL ?? "postgres://postgres@127.0.0.1:5432/postgres";

export interface TestDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createTestDatabase(): Promise<TestDatabase> {
  if (testEngine === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), "simgate-test-"));
    return { url: `file:${join(dir, "test.db")}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `simgate_test_${randomBytes(6).toString("hex")}`;
  const admin = new pg.Client({ connectionString: pgAdminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  await admin.end();
  const url = new URL(pgAdminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    async drop() {
      const client = new pg.Client({ connectionString: pgAdminUrl });
      await client.connect();
      await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await client.end();
    },
  };
}
