// Bulk SIMs for one operator, generated inside the database (a recursive CTE on SQLite,
// generate_series on PostgreSQL): a million rows in seconds, without a round trip per row.
// Every second SIM is GLOBAL; each has one tag ("site" = "site-<n mod 10>") and one history entry.
import Database from "better-sqlite3";
import pg from "pg";
import type { Engine } from "./databases.ts";

export interface SeedTarget {
  engine: Engine;
  url: string;
  operatorRowId: string;
  /** Distinguishes this batch's IMSIs from other batches in the same database. */
  prefix: number;
}

export async function seedSims(target: SeedTarget, count: number): Promise<void> {
  if (target.engine === "sqlite") seedSqlite(target, count);
  else await seedPostgres(target, count);
}

function seedSqlite({ url, operatorRowId, prefix }: SeedTarget, count: number): void {
  const db = new Database(url.slice("file:".length), { timeout: 60_000 });
  const now = "strftime('%Y-%m-%dT%H:%M:%f+00:00', 'now', '-' || (? - i) || ' seconds')";
  try {
    db.transaction(() => {
      db.prepare(`
        WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
        INSERT INTO "Sim" (id, operatorId, imsi, iccid, msisdn, subscription, coverage, status, registrationSecretHash,
          name, nameKey, searchText, terminationProtected, sessionOnline, returnRequired, ownedSince, registeredAt, listedUntil, createdAt, updatedAt)
        SELECT printf('b%02d-%09d', ?, i), ?, printf('44%02d%011d', ?, i), printf('8981%02d%013d', ?, i), NULL,
          CASE i % 3 WHEN 0 THEN 'plan01s' WHEN 1 THEN 'planX3' ELSE 'plan-D' END,
          CASE i % 2 WHEN 0 THEN 'GLOBAL' ELSE 'JAPAN' END,
          CASE i % 5 WHEN 0 THEN 'ACTIVE' WHEN 1 THEN 'INACTIVE' ELSE 'READY' END,
          'x', printf('sim-%09d', i), printf('sim-%09d', i), printf('44%02d%011d 8981%02d%013d ', ?, i, ?, i), 1, 0, 0, '2026-11-01',
          ${now}, '9999-12-31T00:00:00.000+00:00', ${now}, ${now}
        FROM n`).run(count, prefix, operatorRowId, prefix, prefix, prefix, prefix, count, count, count);
      db.prepare(`
        INSERT INTO "SimTag" (id, simId, operatorId, name, value, valueKey)
        SELECT 't' || substr(id, 2), id, operatorId, 'site', 'site-' || (CAST(substr(id, 5) AS INTEGER) % 10), 'site-' || (CAST(substr(id, 5) AS INTEGER) % 10)
        FROM "Sim" WHERE id LIKE printf('b%02d-%%', ?)`).run(prefix);
      db.prepare(`
        INSERT INTO "SimStatusChange" (id, simId, operatorId, "from", "to", at, cause, reactivation)
        SELECT 'h' || substr(id, 2), id, operatorId, NULL, 'READY', registeredAt, 'OPERATOR', 0
        FROM "Sim" WHERE id LIKE printf('b%02d-%%', ?)`).run(prefix);
    })();
    db.exec("ANALYZE");
  } finally {
    db.close();
  }
}

async function seedPostgres({ url, operatorRowId, prefix }: SeedTarget, count: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    await c.query("BEGIN");
    await c.query(
      `INSERT INTO "Sim" (id, "operatorId", imsi, iccid, msisdn, subscription, coverage, status, "registrationSecretHash",
         name, "nameKey", "searchText", "terminationProtected", "sessionOnline", "returnRequired", "ownedSince", "registeredAt", "listedUntil", "createdAt", "updatedAt")
       SELECT format('b%s-%s', lpad($2::text, 2, '0'), lpad(i::text, 9, '0')), $3, '44' || lpad($2::text, 2, '0') || lpad(i::text, 11, '0'),
         '8981' || lpad($2::text, 2, '0') || lpad(i::text, 13, '0'), NULL,
         (ARRAY['plan01s', 'planX3', 'plan-D'])[i % 3 + 1], (CASE i % 2 WHEN 0 THEN 'GLOBAL' ELSE 'JAPAN' END)::"Coverage",
         (CASE i % 5 WHEN 0 THEN 'ACTIVE' WHEN 1 THEN 'INACTIVE' ELSE 'READY' END)::"SimStatus",
         'x', 'sim-' || lpad(i::text, 9, '0'), 'sim-' || lpad(i::text, 9, '0'), '44' || lpad($2::text, 2, '0') || lpad(i::text, 11, '0') || ' 8981' || lpad($2::text, 2, '0') || lpad(i::text, 13, '0') || ' ', true, false, false, '2026-11-01',
         now() - (($1 - i) || ' seconds')::interval, '9999-12-31', now() - (($1 - i) || ' seconds')::interval, now()
       FROM generate_series(1, $1::int) AS i`,
      [count, prefix, operatorRowId],
    );
    await c.query(
      `INSERT INTO "SimTag" (id, "simId", "operatorId", name, value, "valueKey")
       SELECT 't' || substr(id, 2), id, "operatorId", 'site', 'site-' || (substr(id, 5)::int % 10), 'site-' || (substr(id, 5)::int % 10)
       FROM "Sim" WHERE id LIKE $1`,
      [`b${String(prefix).padStart(2, "0")}-%`],
    );
    await c.query(
      `INSERT INTO "SimStatusChange" (id, "simId", "operatorId", "from", "to", at, cause, reactivation)
       SELECT 'h' || substr(id, 2), id, "operatorId", NULL, 'READY', "registeredAt", 'OPERATOR', false FROM "Sim" WHERE id LIKE $1`,
      [`b${String(prefix).padStart(2, "0")}-%`],
    );
    await c.query("COMMIT");
    await c.query("ANALYZE");
  } finally {
    await c.end();
  }
}
