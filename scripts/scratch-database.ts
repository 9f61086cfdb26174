// A throw-away database for tests and benchmarks: a temporary SQLite file, or a new database on a
// PostgreSQL server (named by its admin URL), dropped afterwards.
import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";

export type Engine = "sqlite" | "postgresql";

export interface ScratchDatabase {
  url: string;
  drop(): Promise<void>;
}

export async function createScratchDatabase(engine: Engine, pgAdminUrl: string, label = "scratch"): Promise<ScratchDatabase> {
  if (engine === "sqlite") {
    const dir = mkdtempSync(join(tmpdir(), `simgate-${label}-`));
    return { url: `file:${join(dir, `${label}.db`)}`, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  }
  const name = `simgate_${label}_${randomBytes(6).toString("hex")}`;
  const run = async (sql: string) => {
    const client = new pg.Client({ connectionString: pgAdminUrl });
    await client.connect();
    try {
      await client.query(sql);
    } finally {
      await client.end();
    }
  };
  await run(`CREATE DATABASE ${name}`);
  const url = new URL(pgAdminUrl);
  url.pathname = `/${name}`;
  return { url: url.toString(), drop: () => run(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`) };
}
