// Baseline (a): the floor of the work. A bare node:http handler that runs, through the same driver,
// the hand-written SQL equivalent of what Simgate does for the benchmark's read and write
// (authenticate the bearer token, count from the counters, read a page and its tags; or update a
// SIM and audit it in one transaction) and answers the same JSON.
import { createHash } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import Database from "better-sqlite3";
import pg from "pg";
import type { Engine } from "./databases.ts";

const gid = (type: string, id: string) => Buffer.from(`${type}:${id}`).toString("base64");
export const digest = (token: string) => createHash("sha256").update(token).digest("hex");

interface Store {
  viewer(tokenHash: string, now: string): Promise<string | null>;
  count(operatorId: string, now: string): Promise<number>;
  page(operatorId: string, now: string): Promise<{ id: string; imsi: string; status: string; expiryAction: string | null }[]>;
  tags(simIds: string[]): Promise<{ simId: string; name: string; value: string }[]>;
  rename(operatorId: string, simId: string, name: string, now: string): Promise<boolean>;
  close(): Promise<void>;
}

function sqliteStore(file: string): Store {
  const db = new Database(file, { timeout: 10_000 });
  const iso = (s: string) => s.replace("Z", "+00:00");
  const viewer = db.prepare(`SELECT operatorId FROM "Session" WHERE tokenHash = ? AND revokedAt IS NULL AND expiresAt > ?`).pluck();
  const counted = db.prepare(`SELECT COALESCE(SUM(n), 0) FROM "SimCount" WHERE operatorId = ? AND coverage = 'GLOBAL' AND status <> 'TERMINATED'`).pluck();
  const terminated = db.prepare(`SELECT COUNT(*) FROM "Sim" WHERE operatorId = ? AND coverage = 'GLOBAL' AND status = 'TERMINATED' AND listedUntil > ?`).pluck();
  const page = db.prepare(`SELECT id, imsi, status, expiryAction FROM "Sim" WHERE operatorId = ? AND coverage = 'GLOBAL' AND listedUntil > ? ORDER BY registeredAt, id LIMIT 50`);
  const update = db.prepare(`UPDATE "Sim" SET name = ?, nameKey = ?, updatedAt = ? WHERE id = ? AND operatorId = ?`);
  const audit = db.prepare(`INSERT INTO "AuditLogEntry" (id, operatorId, at, action, actor, targetIds, result, errorCodes) VALUES (?, ?, ?, 'updateSim', 'bench', ?, 'SUCCEEDED', '[]')`);
  const rename = db.transaction((operatorId: string, simId: string, name: string, now: string) => {
    const changed = update.run(name, name.toLowerCase(), now, simId, operatorId).changes === 1;
    if (changed) audit.run(crypto.randomUUID(), operatorId, now, JSON.stringify([gid("Sim", simId)]));
    return changed;
  });
  return {
    viewer: async (h, now) => (viewer.get(h, iso(now)) as string | undefined) ?? null,
    count: async (op, now) => (counted.get(op) as number) + (terminated.get(op, iso(now)) as number),
    page: async (op, now) => page.all(op, iso(now)) as never,
    tags: async (ids) => (ids.length === 0 ? [] : (db.prepare(`SELECT simId, name, value FROM "SimTag" WHERE simId IN (${ids.map(() => "?").join(",")}) ORDER BY name`).all(...ids) as never)),
    rename: async (op, sim, name, now) => rename(op, sim, name, iso(now)),
    close: async () => void db.close(),
  };
}

function postgresStore(url: string, poolSize: number): Store {
  const pool = new pg.Pool({ connectionString: url, max: poolSize });
  const one = async <T>(sql: string, args: unknown[]) => (await pool.query(sql, args)).rows[0] as T;
  return {
    viewer: async (h, now) => (await one<{ operatorId: string } | undefined>(`SELECT "operatorId" FROM "Session" WHERE "tokenHash" = $1 AND "revokedAt" IS NULL AND "expiresAt" > $2`, [h, now]))?.operatorId ?? null,
    count: async (op, now) => {
      const c = await one<{ n: string }>(`SELECT COALESCE(SUM(n), 0) AS n FROM "SimCount" WHERE "operatorId" = $1 AND coverage = 'GLOBAL' AND status <> 'TERMINATED'`, [op]);
      const t = await one<{ n: string }>(`SELECT COUNT(*) AS n FROM "Sim" WHERE "operatorId" = $1 AND coverage = 'GLOBAL' AND status = 'TERMINATED' AND "listedUntil" > $2`, [op, now]);
      return Number(c.n) + Number(t.n);
    },
    page: async (op, now) =>
      (await pool.query(`SELECT id, imsi, status::text, "expiryAction"::text AS "expiryAction" FROM "Sim" WHERE "operatorId" = $1 AND coverage = 'GLOBAL' AND "listedUntil" > $2 ORDER BY "registeredAt", id LIMIT 50`, [op, now])).rows,
    tags: async (ids) => (await pool.query(`SELECT "simId", name, value FROM "SimTag" WHERE "simId" = ANY($1) ORDER BY name`, [ids])).rows,
    rename: async (op, sim, name, now) => {
      const client = await pool.connect();
      try {
        await client.query("BEGIN");
        const r = await client.query(`UPDATE "Sim" SET name = $1, "nameKey" = $2, "updatedAt" = $3 WHERE id = $4 AND "operatorId" = $5`, [name, name.toLowerCase(), now, sim, op]);
        if (r.rowCount === 1) {
          await client.query(`INSERT INTO "AuditLogEntry" (id, "operatorId", at, action, actor, "targetIds", result, "errorCodes") VALUES ($1, $2, $3, 'updateSim', 'bench', $4, 'SUCCEEDED', '[]')`, [crypto.randomUUID(), op, now, JSON.stringify([gid("Sim", sim)])]);
        }
        await client.query("COMMIT");
        return r.rowCount === 1;
      } catch (error) {
        await client.query("ROLLBACK");
        throw error;
      } finally {
        client.release();
      }
    },
    close: () => pool.end(),
  };
}

export function storeFor(engine: Engine, url: string, poolSize = 10): Store {
  return engine === "sqlite" ? sqliteStore(url.slice("file:".length)) : postgresStore(url, poolSize);
}

/** The read's edges from a page and its tags, as the raw baseline answers them. */
export function edgesOf(rows: Awaited<ReturnType<Store["page"]>>, tags: Awaited<ReturnType<Store["tags"]>>) {
  const bySim = new Map<string, { name: string; value: string }[]>();
  for (const t of tags) bySim.set(t.simId, [...(bySim.get(t.simId) ?? []), { name: t.name, value: t.value }]);
  return rows.map((r) => ({
    node: { id: gid("Sim", r.id), imsi: r.imsi, status: r.status, tags: bySim.get(r.id) ?? [], expiry: r.expiryAction ? { action: r.expiryAction } : null },
  }));
}

export async function startRawBaseline(engine: Engine, url: string, poolSize = 10): Promise<{ port: number; close(): Promise<void> }> {
  const store = storeFor(engine, url, poolSize);
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c));
    req.on("end", async () => {
      try {
        const now = new Date().toISOString();
        const token = req.headers.authorization?.slice("Bearer ".length) ?? "";
        const operatorId = await store.viewer(digest(token), now);
        if (!operatorId) return send(res, { errors: [{ message: "Sign in first", extensions: { code: "UNAUTHENTICATED" } }] });
        const request = JSON.parse(body) as { variables?: { input?: { simId: string; name: string } } };
        const input = request.variables?.input;
        if (input) {
          const simId = Buffer.from(input.simId, "base64").toString().split(":")[1]!;
          const ok = await store.rename(operatorId, simId, input.name, now);
          return send(res, { data: { updateSim: { sim: ok ? { id: input.simId, name: input.name } : null, userErrors: ok ? [] : [{ code: "NOT_FOUND" }] } } });
        }
        const [totalCount, rows] = await Promise.all([store.count(operatorId, now), store.page(operatorId, now)]);
        const edges = edgesOf(rows, await store.tags(rows.map((r) => r.id)));
        send(res, { data: { viewer: { sims: { totalCount, edges } } } });
      } catch (error) {
        res.statusCode = 500;
        res.end(String(error));
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    port: (server.address() as AddressInfo).port,
    close: async () => {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await store.close();
    },
  };
}

function send(res: import("node:http").ServerResponse, payload: unknown): void {
  const json = JSON.stringify(payload);
  res.writeHead(200, { "content-type": "application/json", "content-length": Buffer.byteLength(json) });
  res.end(json);
}
