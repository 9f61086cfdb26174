// Applies the committed migrations (prisma/migrations/<stamp>_<name>/<engine>.sql) that a
// database has not had yet, each in its own transaction, recording them in _simgate_migrations.
// On PostgreSQL an advisory lock makes several servers starting together apply each file once.
import { existsSync, mkdirSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import pg from "pg";
import type { DatabaseTarget } from "./database.ts";

export const migrationsDir = resolve(dirname(fileURLToPath(import.meta.url)), "../../../../prisma/migrations");
const LOCK_KEY = 72_531_908; // any constant shared by every Simgate process

export interface Migration {
  name: string;
  sql: string;
}

export function committedMigrations(provider: DatabaseTarget["provider"]): Migration[] {
  return readdirSync(migrationsDir)
    .filter((name) => existsSync(join(migrationsDir, name, `${provider}.sql`)))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(migrationsDir, name, `${provider}.sql`), "utf8") }));
}

/** Applies what is missing; returns the names applied now. */
export async function migrate(target: DatabaseTarget): Promise<string[]> {
  return target.provider === "sqlite" ? migrateSqlite(target.file!) : migratePostgres(target.url);
}

/** Names of committed migrations the database has not had (for readiness checks). */
export async function pendingMigrations(target: DatabaseTarget): Promise<string[]> {
  const all = committedMigrations(target.provider).map((m) => m.name);
  const applied = new Set(await appliedMigrations(target));
  return all.filter((name) => !applied.has(name));
}

async function appliedMigrations(target: DatabaseTarget): Promise<string[]> {
  if (target.provider === "sqlite") {
    // Read-only: a readiness probe must never create the file or take the write lock.
    const db = new Database(target.file!, { readonly: true, fileMustExist: true, timeout: 10_000 });
    try {
      const exists = db.prepare("SELECT 1 FROM sqlite_master WHERE type='table' AND name='_simgate_migrations'").get();
      return exists ? db.prepare("SELECT name FROM _simgate_migrations").pluck().all() as string[] : [];
    } finally {
      db.close();
    }
  }
  const client = new pg.Client({ connectionString: target.url });
  await client.connect();
  try {
    const exists = await client.query("SELECT to_regclass('_simgate_migrations') AS t");
    if (!exists.rows[0].t) return [];
    return (await client.query("SELECT name FROM _simgate_migrations")).rows.map((r) => r.name as string);
  } finally {
    await client.end();
  }
}

function migrateSqlite(file: string): string[] {
  mkdirSync(dirname(file), { recursive: true });
  const db = new Database(file, { timeout: 10_000 });
  try {
    // WAL lets readers go on while a writer commits; the setting is kept in the file.
    db.pragma("journal_mode = WAL");
    db.exec("CREATE TABLE IF NOT EXISTS _simgate_migrations (name TEXT PRIMARY KEY, applied_at TEXT NOT NULL)");
    const applied: string[] = [];
    for (const m of committedMigrations("sqlite")) {
      // IMMEDIATE takes the write lock first, so two processes cannot both apply a migration.
      const done = db.transaction(() => {
        if (db.prepare("SELECT 1 FROM _simgate_migrations WHERE name = ?").get(m.name)) return false;
        db.exec(m.sql);
        db.prepare("INSERT INTO _simgate_migrations (name, applied_at) VALUES (?, ?)").run(m.name, new Date().toISOString());
        return true;
      }).immediate();
      if (done) applied.push(m.name);
    }
    return applied;
  } finally {
    db.close();
  }
}

async function migratePostgres(url: string): Promise<string[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const applied: string[] = [];
  try {
    await client.query("SELECT pg_advisory_lock($1)", [LOCK_KEY]);
    await client.query("CREATE TABLE IF NOT EXISTS _simgate_migrations (name TEXT PRIMARY KEY, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
    const done = new Set((await client.query("SELECT name FROM _simgate_migrations")).rows.map((r) => r.name as string));
    for (const m of committedMigrations("postgresql")) {
      if (done.has(m.name)) continue;
      await client.query("BEGIN");
      try {
        await client.query(m.sql);
        await client.query("INSERT INTO _simgate_migrations (name) VALUES ($1)", [m.name]);
        await client.query("COMMIT");
      } catch (error) {
        await client.query("ROLLBACK");
        throw new Error(`migration ${m.name} failed: ${(error as Error).message}`);
      }
      applied.push(m.name);
    }
  } finally {
    await client.query("SELECT pg_advisory_unlock($1)", [LOCK_KEY]).catch(() => {});
    await client.end();
  }
  return applied;
}
