// `pnpm db:migration <name>`: writes the migration of both engines for the change made to
// prisma/schema.prisma since the last migration.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { currentSchema, isEmptyMigration, migrationsDir, pendingSql } from "./migrations.ts";
import { providers } from "./prisma-engines.ts";

const name = process.argv[2];
if (!name || !/^[a-z0-9_]+$/.test(name)) {
  console.error("usage: pnpm db:migration <name>   (lower-case letters, digits and _)");
  process.exit(2);
}
const sql = await pendingSql();
if (providers.every((p) => isEmptyMigration(sql[p]))) {
  console.log("The schema has not changed since the last migration: nothing written.");
  process.exit(0);
}
const stamp = new Date().toISOString().replace(/\D/g, "").slice(0, 14);
const dir = join(migrationsDir, `${stamp}_${name}`);
mkdirSync(dir, { recursive: true });
for (const provider of providers) writeFileSync(join(dir, `${provider}.sql`), `${sql[provider]}\n`);
writeFileSync(join(dir, "schema.prisma"), currentSchema());
console.log(`Wrote ${dir}`);
