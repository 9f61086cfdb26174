// Bulk SIMs for one operator, generated inside the database (a recursive CTE on SQLite,
// generate_series on PostgreSQL): a million rows in seconds, without a round trip per row.
// SIM i is GLOBAL when i is even, on plan01s / planX3 / plan-D by i mod 3, READY / ACTIVE / INACTIVE
// by i mod 5, carries the tag site = site-<i mod 10>, and has one history entry.
import Database from "better-sqlite3";
import pg from "pg";
import type { Engine } from "./databases.ts";

export interface SeedTarget {
  engine: Engine;
  url: string;
  operatorRowId: string;
  /** Distinguishes this operator's SIMs (IMSIs, IDs) from other operators' in the same database. */
  prefix: number;
}

/** Seeds SIMs numbered first..last (inclusive) for the operator. */
export async function seedSimRange(target: SeedTarget, first: number, last: number): Promise<void> {
  if (target.engine === "sqlite") seedSqlite(target, first, last);
  else await seedPostgres(target, first, last);
}

export async function seedSims(target: SeedTarget, count: number): Promise<void> {
  await seedSimRange(target, 1, count);
  await analyze(target);
}

export async function analyze(target: Pick<SeedTarget, "engine" | "url">): Promise<void> {
  if (target.engine === "sqlite") {
    const db = new Database(target.url.slice("file:".length));
    db.exec("ANALYZE");
    db.close();
  } else {
    const c = new pg.Client({ connectionString: target.url });
    await c.connect();
    await c.query("ANALYZE");
    await c.end();
  }
}

function seedSqlite({ url, operatorRowId, prefix }: SeedTarget, first: number, last: number): void {
  const db = new Database(url.slice("file:".length), { timeout: 60_000 });
  const at = "strftime('%Y-%m-%dT%H:%M:%f+00:00', '2026-01-01', '+' || i || ' seconds')";
  const idOf = (i: number) => `b${String(prefix).padStart(3, "0")}-${String(i).padStart(9, "0")}`;
  try {
    db.transaction(() => {
      db.prepare(`
        WITH RECURSIVE n(i) AS (SELECT ? UNION ALL SELECT i + 1 FROM n WHERE i < ?)
        INSERT INTO "Sim" (id, operatorId, imsi, iccid, msisdn, subscription, coverage, status, registrationSecretHash,
          name, nameKey, searchText, terminationProtected, sessionOnline, returnRequired, ownedSince, registeredAt, listedUntil, createdAt, updatedAt)
        SELECT printf('b%03d-%09d', ?, i), ?, printf('44%03d%010d', ?, i), printf('8981%03d%012d', ?, i), NULL,
          CASE i % 3 WHEN 0 THEN 'plan01s' WHEN 1 THEN 'planX3' ELSE 'plan-D' END,
          CASE i % 2 WHEN 0 THEN 'GLOBAL' ELSE 'JAPAN' END,
          CASE i % 5 WHEN 0 THEN 'ACTIVE' WHEN 1 THEN 'INACTIVE' ELSE 'READY' END,
          'x', printf('sim-%09d', i), printf('sim-%09d', i), printf('44%03d%010d 8981%03d%012d ', ?, i, ?, i), 1, 0, 0, '2026-01-01',
          ${at}, '9999-12-31T00:00:00.000+00:00', ${at}, ${at}
        FROM n`).run(first, last, prefix, operatorRowId, prefix, prefix, prefix, prefix);
      // IDs are zero-padded, so a range of them is a primary-key range.
      const range = [idOf(first), idOf(last)] as const;
      const inRange = `id BETWEEN ? AND ?`;
      db.prepare(`
        INSERT INTO "SimTag" (id, simId, operatorId, name, value, valueKey)
        SELECT 't' || substr(id, 2), id, operatorId, 'site', 'site-' || (CAST(substr(id, 6) AS INTEGER) % 10), 'site-' || (CAST(substr(id, 6) AS INTEGER) % 10)
        FROM "Sim" WHERE ${inRange}`).run(...range);
      db.prepare(`
        INSERT INTO "SimStatusChange" (id, simId, operatorId, "from", "to", at, cause, reactivation)
        SELECT 'h' || substr(id, 2), id, operatorId, NULL, 'READY', registeredAt, 'OPERATOR', 0 FROM "Sim" WHERE ${inRange}`).run(...range);
    })();
  } finally {
    db.close();
  }
}

async function seedPostgres({ url, operatorRowId, prefix }: SeedTarget, first: number, last: number): Promise<void> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  const p3 = String(prefix).padStart(3, "0");
  // IDs are zero-padded, so a range of them is a primary-key range.
  const inRange = `id BETWEEN $1 AND $2`;
  const range = [`b${p3}-${String(first).padStart(9, "0")}`, `b${p3}-${String(last).padStart(9, "0")}`];
  try {
    await c.query("BEGIN");
    // The per-row counter trigger would upsert one hot row a million times: skip triggers for this
    // bulk load (the seed runs as a superuser) and add the counts in one statement afterwards.
    await c.query("SET LOCAL session_replication_role = replica");
    await c.query(
      `INSERT INTO "Sim" (id, "operatorId", imsi, iccid, msisdn, subscription, coverage, status, "registrationSecretHash",
         name, "nameKey", "searchText", "terminationProtected", "sessionOnline", "returnRequired", "ownedSince", "registeredAt", "listedUntil", "createdAt", "updatedAt")
       SELECT 'b' || $3 || '-' || lpad(i::text, 9, '0'), $4, '44' || $3 || lpad(i::text, 10, '0'), '8981' || $3 || lpad(i::text, 12, '0'), NULL,
         (ARRAY['plan01s', 'planX3', 'plan-D'])[i % 3 + 1], (CASE i % 2 WHEN 0 THEN 'GLOBAL' ELSE 'JAPAN' END)::"Coverage",
         (CASE i % 5 WHEN 0 THEN 'ACTIVE' WHEN 1 THEN 'INACTIVE' ELSE 'READY' END)::"SimStatus",
         'x', 'sim-' || lpad(i::text, 9, '0'), 'sim-' || lpad(i::text, 9, '0'),
         '44' || $3 || lpad(i::text, 10, '0') || ' 8981' || $3 || lpad(i::text, 12, '0') || ' ', true, false, false, '2026-01-01',
         timestamp '2026-01-01' + i * interval '1 second', '9999-12-31', timestamp '2026-01-01' + i * interval '1 second', now()
       FROM generate_series($1::int, $2::int) AS i`,
      [first, last, p3, operatorRowId],
    );
    await c.query(
      `INSERT INTO "SimTag" (id, "simId", "operatorId", name, value, "valueKey")
       SELECT 't' || substr(id, 2), id, "operatorId", 'site', 'site-' || (substr(id, 6)::int % 10), 'site-' || (substr(id, 6)::int % 10)
       FROM "Sim" WHERE ${inRange}`,
      range,
    );
    await c.query(
      `INSERT INTO "SimStatusChange" (id, "simId", "operatorId", "from", "to", at, cause, reactivation)
       SELECT 'h' || substr(id, 2), id, "operatorId", NULL, 'READY', "registeredAt", 'OPERATOR', false FROM "Sim" WHERE ${inRange}`,
      range,
    );
    await c.query(
      `INSERT INTO "SimCount" ("operatorId", coverage, status, subscription, n)
       SELECT "operatorId", coverage, status, subscription, COUNT(*) FROM "Sim" WHERE ${inRange} GROUP BY 1, 2, 3, 4
       ON CONFLICT ("operatorId", coverage, status, subscription) DO UPDATE SET n = "SimCount".n + EXCLUDED.n`,
      range,
    );
    await c.query("COMMIT");
  } finally {
    await c.end();
  }
}
