// Catching a server process with a write transaction open, so a test can kill -9 it right there.
// PostgreSQL: the test holds the audit table (every mutation writes its audit entry last, inside its
// transaction), so the mutation stops just before COMMIT with all its other writes done; the
// server's backend shows up waiting on that lock. SQLite (WAL) cannot be held mid-transaction from
// outside, so the test watches /proc/locks for the server holding the WAL write lock, which SQLite
// takes at the transaction's first write and drops at COMMIT.
import { readFileSync, statSync } from "node:fs";
import pg from "pg";

/** PostgreSQL: one connection holding `"AuditLogEntry"` in EXCLUSIVE mode (reads still pass). */
export async function holdAuditTable(url: string): Promise<{ release(): Promise<void> }> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  await client.query(`BEGIN`);
  await client.query(`LOCK TABLE "AuditLogEntry" IN EXCLUSIVE MODE`);
  return {
    async release() {
      await client.query(`ROLLBACK`);
      await client.end();
    },
  };
}

export interface BlockedBackend {
  pid: number;
  /** Tables the open transaction has written to (it holds their RowExclusiveLock). */
  written: string[];
}

/** Waits for a backend of this database to be blocked inserting an audit entry (alone, or in a mutation's event append). */
export async function waitForBlockedAuditInsert(url: string, timeoutMs = 30_000): Promise<BlockedBackend> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const { rows } = await client.query<{ pid: number }>(
        `SELECT pid FROM pg_stat_activity
          WHERE datname = current_database() AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'
            AND xact_start IS NOT NULL AND query ILIKE '%INSERT INTO%AuditLogEntry%'`,
      );
      if (rows[0]) {
        const written = await client.query<{ relname: string }>(
          `SELECT DISTINCT c.relname FROM pg_locks l JOIN pg_class c ON c.oid = l.relation
            WHERE l.pid = $1 AND l.granted AND l.mode = 'RowExclusiveLock' AND c.relkind = 'r' ORDER BY 1`,
          [rows[0].pid],
        );
        return { pid: rows[0].pid, written: written.rows.map((r) => r.relname) };
      }
      await new Promise((r) => setTimeout(r, 20));
    }
    throw new Error("no server transaction blocked on the audit table");
  } finally {
    await client.end();
  }
}

/** Waits until the backend is gone (after its client died, PostgreSQL rolls its transaction back). */
export async function waitForBackendGone(url: string, pid: number, timeoutMs = 30_000): Promise<void> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const until = Date.now() + timeoutMs;
    while (Date.now() < until) {
      const { rows } = await client.query(`SELECT 1 FROM pg_stat_activity WHERE pid = $1`, [pid]);
      if (rows.length === 0) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error(`backend ${pid} still there`);
  } finally {
    await client.end();
  }
}

/** SQLite: does `pid` hold the WAL write lock (byte 120 of the -shm file) of this database file? */
export function holdsSqliteWriteLock(dbFile: string, pid: number): boolean {
  let inode: number;
  try {
    inode = statSync(`${dbFile}-shm`).ino;
  } catch {
    return false;
  }
  return readFileSync("/proc/locks", "utf8")
    .split("\n")
    .some((line) => {
      const f = line.trim().split(/\s+/);
      // "1: POSIX  ADVISORY  WRITE 1234 fe:00:5678 120 120"
      return f[1] === "POSIX" && f[3] === "WRITE" && Number(f[4]) === pid && Number(f[5]?.split(":")[2]) === inode && f[6] === "120";
    });
}

/** Polls (without sleeping, so no window is missed) until `pid` holds the SQLite write lock. */
export async function waitForSqliteWriteLock(dbFile: string, pid: number, timeoutMs = 30_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (holdsSqliteWriteLock(dbFile, pid)) return;
    await new Promise((r) => setImmediate(r));
  }
  throw new Error(`process ${pid} never held the write lock of ${dbFile}`);
}
