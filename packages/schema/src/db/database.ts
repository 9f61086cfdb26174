// DATABASE_URL selects the engine: `file:` → embedded SQLite, `postgres://` → PostgreSQL.
// Both Prisma clients are generated from one model (scripts/prisma-generate.ts), so the SQLite
// client's type describes either.
import { mkdirSync } from "node:fs";
import { Mutex } from "async-mutex";
import { dirname, resolve } from "node:path";
import type { Db, DatabaseTarget, Tx } from "./types.ts";
import { postgresParam, postgresReader, postgresTypes, preparedName, sqliteReader, statementsOn, type PreparedStatements, type SqlReader, type WriterConnection } from "./sql-reader.ts";
import { bindTransactions, setSqlTransactions, sqlOnlyTx, transactionOpened, transactionSettingsSql, transactionTimeoutError } from "./transaction-sql.ts";
import { guardReader, guardTransactions, type BesideTransactionHandler } from "./transaction-guard.ts";

export type { Db, Tx, Provider, DatabaseTarget } from "./types.ts";

export function parseDatabaseUrl(url: string): DatabaseTarget {
  if (url.startsWith("file:")) {
    const file = resolve(url.slice("file:".length));
    return { provider: "sqlite", url, file };
  }
  if (/^postgres(ql)?:\/\//.test(url)) return { provider: "postgresql", url };
  throw new Error(`DATABASE_URL must start with file: (SQLite) or postgres:// (PostgreSQL), got "${url}"`);
}

export interface ConnectOptions {
  /** PostgreSQL connection pool size. */
  poolSize?: number;
  /** Called with every SQL statement sent (tests count them; off by default, it costs time). */
  onQuery?: (sql: string) => void;
  /** SQLite: how long a write waits for another connection's write lock before SQLITE_BUSY (default 10 s). */
  busyTimeoutMs?: number;
  /** Tests: told of every statement sent beside an open transaction instead of through it (transaction-guard.ts). */
  onQueryBesideTransaction?: BesideTransactionHandler;
}

/** Loads only the engine in use: each Prisma client carries its own query compiler (memory). */
export async function createDb(target: DatabaseTarget, options: ConnectOptions = {}): Promise<Db> {
  const log = options.onQuery ? [{ emit: "event" as const, level: "query" as const }] : [];
  let db: Db;
  let reader: SqlReader;
  const guard = options.onQueryBesideTransaction;
  if (target.provider === "sqlite") {
    mkdirSync(dirname(target.file!), { recursive: true });
    const [{ PrismaClient: SqliteClient }, { PrismaBetterSqlite3 }] = await Promise.all([import("./generated/sqlite/client.ts"), import("@prisma/adapter-better-sqlite3")]);
    // A busy timeout lets several connections (tests, scripts) share the file. better-sqlite3 waits
    // synchronously, so the server sets it to its lock timeout: a long wait would stall every request.
    // The adapter's connection is kept: autocommit statements (the webhook worker's) run on it
    // directly (sql-reader.ts), without Prisma's runtime. A statement sent there while another
    // request's transaction is open would run inside that transaction (the adapter locks only
    // transactions) and be undone by its rollback, so transactions and autocommit statements take
    // turns on one FIFO gate: a transaction holds it from BEGIN to COMMIT or ROLLBACK.
    // The same connection runs a transaction's hand-written statements (transaction-sql.ts) while
    // the transaction holds the gate.
    let writer: WriterConnection | null = null;
    const gate = new Mutex();
    const inTransaction: PreparedStatements = new Map();
    // A transaction's statements on the writer, whichever kind of transaction holds the gate.
    let inTransactionRun: ReturnType<typeof statementsOn> | null = null;
    class KeptConnectionAdapter extends PrismaBetterSqlite3 {
      override async connect() {
        const adapter = await super.connect();
        writer = keepPrismasStatements((adapter as unknown as { client: WriterConnection }).client);
        const run = (inTransactionRun = statementsOn(writer, inTransaction, options.onQuery));
        const start = adapter.startTransaction.bind(adapter);
        adapter.startTransaction = async (isolationLevel) => {
          const release = await gate.acquire();
          try {
            const tx = await start(isolationLevel);
            const ended = transactionOpened(async (sql, params) => run(sql, params));
            let open = true;
            const end = () => {
              ended();
              if (open) release();
              open = false;
            };
            const commit = tx.commit.bind(tx);
            const rollback = tx.rollback.bind(tx);
            tx.commit = () => commit().finally(end);
            tx.rollback = () => rollback().finally(end);
            return tx;
          } catch (error) {
            release();
            throw error;
          }
        };
        return adapter;
      }
    }
    db = new SqliteClient({ adapter: new KeptConnectionAdapter({ url: target.file!, timeout: options.busyTimeoutMs ?? 10_000 }), log }) as Db;
    const client = db;
    reader = await sqliteReader(
      target.file!,
      {
        writer: () => writer,
        exclusive: (work) => gate.runExclusive(work),
        viaPrisma: <T>(sql: string, params: readonly unknown[]) => client.$queryRawUnsafe<T[]>(sql, ...params),
      },
      options.onQuery,
    );
    setSqlTransactions(db, async (work, limits) => {
      if (!inTransactionRun) await client.$queryRawUnsafe("SELECT 1"); // Prisma opens its connection, and so the writer
      const release = await within(gate.acquire(), limits.maxWait ?? PRISMA_MAX_WAIT_MS, (late) => late());
      const run = inTransactionRun!;
      try {
        run("BEGIN", []);
      } catch (error) {
        release();
        throw error;
      }
      return sqlTransactionBody(work, async (sql, params) => run(sql, params), limits, async (commit) => {
        const rollback = () => {
          try {
            run("ROLLBACK", []);
          } catch {
            // Nothing open: SQLite itself ended the transaction with the error that led here.
          }
        };
        try {
          if (!commit) rollback();
          else {
            try {
              run("COMMIT", []);
            } catch (error) {
              rollback();
              throw error;
            }
          }
        } finally {
          release();
        }
      });
    });
  } else {
    const [{ PrismaClient: PostgresClient }, { PrismaPg }, { default: pg }] = await Promise.all([
      import("./generated/postgresql/client.ts"),
      import("@prisma/adapter-pg"),
      import("pg"),
    ]);
    // One pool for Prisma and the hand-written reads; Prisma's $disconnect ends it. A transaction's
    // hand-written statements run on the connection its adapter took (transaction-sql.ts).
    const pool = new pg.Pool({ connectionString: target.url, max: options.poolSize ?? 10 });
    sendSettingsWithBegin(pool);
    const types = await postgresTypes();
    const onQuery = options.onQuery;
    /** A transaction's hand-written statements on the connection it holds (transaction-sql.ts). */
    const statementsOnConnection =
      (connection: import("pg").PoolClient) =>
      async <T>(sql: string, params: readonly unknown[]) => {
        onQuery?.(sql);
        return (await connection.query({ name: preparedName(sql), text: sql, values: params.map(postgresParam), types } as import("pg").QueryConfig)).rows as T[];
      };
    class TransactionConnectionAdapter extends PrismaPg {
      override async connect() {
        const adapter = await super.connect();
        const start = adapter.startTransaction.bind(adapter);
        adapter.startTransaction = async (isolationLevel) => {
          const tx = await start(isolationLevel);
          const ended = transactionOpened(statementsOnConnection((tx as unknown as { client: import("pg").PoolClient }).client));
          const commit = tx.commit.bind(tx);
          const rollback = tx.rollback.bind(tx);
          tx.commit = () => (ended(), commit());
          tx.rollback = () => (ended(), rollback());
          return tx;
        };
        return adapter;
      }
    }
    // No name (undefined) runs the statement unnamed, as node-pg does for any query without one.
    const statementNameGenerator = (query: { sql: string }) => preparedName(query.sql) as string;
    db = new PostgresClient({ adapter: new TransactionConnectionAdapter(pool, { disposeExternalPool: true, statementNameGenerator }), log }) as unknown as Db;
    setSqlTransactions(db, async (work, limits) => {
      // In the async context of limitedTransaction, as Prisma's own BEGIN: the settings go with it.
      const settings = transactionSettingsSql();
      const connecting = pool.connect();
      const connection = await within(connecting, limits.maxWait ?? PRISMA_MAX_WAIT_MS, (late) => late.release());
      try {
        onQuery?.("BEGIN");
        await connection.query(settings ? `BEGIN; ${settings}` : "BEGIN");
      } catch (error) {
        connection.release(error as Error);
        throw error;
      }
      return sqlTransactionBody(work, statementsOnConnection(connection), limits, async (commit) => {
        try {
          onQuery?.(commit ? "COMMIT" : "ROLLBACK");
          await connection.query(commit ? "COMMIT" : "ROLLBACK");
          connection.release();
        } catch (error) {
          // A failed COMMIT has rolled back; a connection that failed otherwise is not reused.
          await connection.query("ROLLBACK").catch(() => {});
          connection.release(error as Error);
          throw error;
        }
      });
    });
    reader = await postgresReader(pool, options.onQuery);
  }
  bindTransactions(db as unknown as { $transaction: (...args: any[]) => any });
  if (guard) {
    guardTransactions(db, guard);
    reader = guardReader(reader, guard);
  }
  readers.set(db, reader);
  providers.set(db, target.provider);
  const disconnect = db.$disconnect.bind(db);
  // The SQLite read connection closes with the client.
  (db as { $disconnect(): Promise<void> }).$disconnect = async () => {
    await disconnect();
    await reader.close();
  };
  if (options.onQuery) {
    const onQuery = options.onQuery;
    (db as unknown as { $on(event: "query", cb: (e: { query: string }) => void): void }).$on("query", (e) => onQuery(e.query));
  }
  return db;
}

/** Prisma's statements kept prepared on SQLite, by text (the texts of one query shape repeat). */
const MAX_PRISMA_STATEMENTS = 500;

type SqliteStatement = ReturnType<WriterConnection["prepare"]> & { columns(): unknown[]; raw(on?: boolean): { all(...params: unknown[]): unknown[] } };

/**
 * SQLite: Prisma's adapter prepares every statement it runs, every time (`prepare(sql).bind(args)`),
 * which costs about as much as running a short one. Its connection's `prepare` now hands out
 * statements prepared once per text, each use binding its own arguments. Answers the connection's
 * own `prepare`, for the hand-written statements (sql-reader.ts keeps those prepared itself).
 */
function keepPrismasStatements(connection: WriterConnection): WriterConnection {
  const prepare = connection.prepare.bind(connection);
  const kept = new Map<string, SqliteStatement>();
  const preparedOnce = (sql: string) => {
    let statement = kept.get(sql);
    if (statement) {
      kept.delete(sql); // most recently used last
    } else {
      if (kept.size >= MAX_PRISMA_STATEMENTS) kept.delete(kept.keys().next().value!);
      statement = prepare(sql) as SqliteStatement;
    }
    kept.set(sql, statement);
    return statement;
  };
  // What the adapter calls: reader, run(), bind(args) then run(), columns() or raw().all().
  (connection as { prepare: unknown }).prepare = (sql: string) => {
    const statement = preparedOnce(sql);
    return {
      reader: statement.reader,
      run: (...params: unknown[]) => statement.run(...params),
      bind: (args: unknown[]) => ({
        reader: statement.reader,
        run: () => statement.run(args),
        columns: () => statement.columns(),
        raw: () => ({ all: () => statement.raw(true).all(args) }),
      }),
    };
  };
  return { prepare };
}

/**
 * PostgreSQL: a transaction opened with settings (transaction-sql.ts) sends them in its BEGIN's
 * round trip, as one simple query. Prisma's adapter takes a transaction's connection with the
 * pool's promise-form connect(), in the async context of the `$transaction` call, and sends
 * "BEGIN" on it first; nothing else takes connections that way (pool.query uses the callback form).
 */
function sendSettingsWithBegin(pool: import("pg").Pool): void {
  const connect = pool.connect.bind(pool) as (callback?: (...args: any[]) => void) => Promise<import("pg").PoolClient> | void;
  (pool as { connect: unknown }).connect = (callback?: (...args: any[]) => void) => {
    if (callback) return connect(callback);
    const settings = transactionSettingsSql();
    const connected = connect() as Promise<import("pg").PoolClient>;
    if (!settings) return connected;
    return connected.then((client) => {
      const own = client as unknown as { query: (config: unknown, ...rest: unknown[]) => unknown };
      own.query = (config: unknown, ...rest: unknown[]) => {
        delete (own as { query?: unknown }).query; // the prototype's again, after this first statement
        const begin = typeof config === "object" && config !== null && (config as { text?: unknown }).text === "BEGIN";
        // Unnamed: several statements in one text go only as a simple query.
        return client.query((begin ? { ...config, name: undefined, text: `BEGIN; ${settings}` } : config) as never, ...(rest as []));
      };
      return client;
    });
  };
}

/** Prisma's own defaults for an interactive transaction's wait to begin, and its length. */
const PRISMA_MAX_WAIT_MS = 2000;
const PRISMA_TIMEOUT_MS = 5000;

/**
 * `promise`, or P2028 after `ms` (what Prisma answers when a transaction cannot begin within
 * maxWait); what comes later is handed to `late` (a connection or a turn to give back).
 */
function within<T>(promise: Promise<T>, ms: number, late: (value: T) => void): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    let waiting = true;
    const timer = setTimeout(() => {
      waiting = false;
      reject(transactionTimeoutError(`Transaction could not begin within ${ms} ms`));
    }, ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        if (waiting) resolve(value);
        else late(value);
      },
      (error) => {
        clearTimeout(timer);
        if (waiting) reject(error);
      },
    );
  });
}

/**
 * The part of a SQL-only transaction both engines share, once BEGIN has run: `work` on a
 * transaction object bound to `run`, then `end(true)` (COMMIT) or `end(false)` (ROLLBACK). Past
 * `timeout` the transaction is rolled back at once, later statements of `work` are refused, and the
 * call fails with P2028, as Prisma's interactive transactions do.
 */
async function sqlTransactionBody<T>(
  work: (tx: Tx) => Promise<T>,
  run: <R>(sql: string, params: readonly unknown[]) => Promise<R[]>,
  limits: { timeout?: number },
  end: (commit: boolean) => Promise<void>,
): Promise<T> {
  const timeout = limits.timeout ?? PRISMA_TIMEOUT_MS;
  const { tx, ended } = sqlOnlyTx(run);
  let ending: Promise<void> | null = null;
  const finish = (commit: boolean) => {
    ended();
    clearTimeout(timer);
    ending ??= end(commit);
    return ending;
  };
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    finish(false).catch(() => {});
  }, timeout);
  let value: T;
  try {
    value = await work(tx);
  } catch (error) {
    if (timedOut) throw transactionTimeoutError(`Transaction expired after ${timeout} ms`);
    await finish(false).catch(() => {}); // the work's own error is the one to report
    throw error;
  }
  if (timedOut) throw transactionTimeoutError(`Transaction expired after ${timeout} ms`);
  await finish(true);
  return value;
}

const readers = new WeakMap<object, SqlReader>();
const providers = new WeakMap<object, DatabaseTarget["provider"]>();

/** The engine behind a client made by createDb (for the few statements that differ per engine). */
export function providerOf(db: Db): DatabaseTarget["provider"] {
  const provider = providers.get(db);
  if (!provider) throw new Error("This client was not made by createDb");
  return provider;
}

/** The hand-written-SQL reader beside a client made by createDb (sql-reader.ts). */
export function sqlReaderOf(db: Db): SqlReader {
  const reader = readers.get(db);
  if (!reader) throw new Error("This client was not made by createDb");
  return reader;
}
