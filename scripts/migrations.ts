// Committed migrations: prisma/migrations/<stamp>_<name>/ holds one SQL file per engine and the
// schema it brings the database to, which the next migration diffs from.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { providers, schemaFor, type Provider } from "./prisma-engines.ts";
import { diffSchemas } from "./schema-engine.ts";

export const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
export const migrationsDir = join(root, "prisma/migrations");

export function currentSchema(): string {
  return readFileSync(join(root, "prisma/schema.prisma"), "utf8");
}

export function latestSnapshot(): string | null {
  const names = existsSync(migrationsDir)
    ? readdirSync(migrationsDir).filter((n) => existsSync(join(migrationsDir, n, "schema.prisma"))).sort()
    : [];
  const last = names.at(-1);
  return last ? readFileSync(join(migrationsDir, last, "schema.prisma"), "utf8") : null;
}

/** Per engine, the SQL still needed to bring the last migration's schema to the current one. */
export async function pendingSql(): Promise<Record<Provider, string>> {
  const from = latestSnapshot();
  const to = currentSchema();
  const out = {} as Record<Provider, string>;
  for (const provider of providers) {
    const sql = await diffSchemas(from === null ? null : schemaFor(provider, from), schemaFor(provider, to));
    out[provider] = sql.trim();
  }
  return out;
}

/** True when the SQL is only the engine's "nothing to do" comment. */
export function isEmptyMigration(sql: string): boolean {
  return sql.split("\n").every((line) => line.trim() === "" || line.trim().startsWith("--"));
}
