// Reads on the hottest paths (the session behind every request, the SIM listing, event pages) run
// as hand-written SQL straight on the driver: Prisma's client runtime costs about 0.8 ms of CPU per
// call, the driver a tenth of that (bench/RESULTS.md). Writes go through Prisma, except the few
// autocommit statements the webhook worker runs many times a second (`autocommit`). PostgreSQL
// shares Prisma's pool; SQLite opens its own read connection (WAL lets it read beside the writer)
// and writes on Prisma's.
import type { Provider } from "./types.ts";

/** A column's JavaScript type: what `all` converts the driver's value to. */
export type ColumnKind = "string" | "date" | "boolean" | "int";

export interface SqlReader {
  readonly provider: Provider;
  /**
   * Runs one read-only statement written with `?` placeholders and double-quoted identifiers (both
   * engines accept those). Date parameters are bound in the engine's stored form; columns named in
   * `kinds` come back as Date / boolean / number whatever the engine returns.
   */
  all<T>(sql: string, params: readonly unknown[], kinds?: Readonly<Record<string, ColumnKind>>): Promise<T[]>;
  /**
   * One statement outside any transaction of the caller's (a write with RETURNING, say), on the
   * driver, written with the engine's own placeholders (`$n`, `?`) and bound values. PostgreSQL:
   * on the pool, committed when it returns. SQLite: on Prisma's own connection (the file's one
   * writer), between transactions: one open there is waited for, never joined (so never call
   * this from inside `$transaction`). The webhook worker's claims and results use it: they run
   * many times a second under load, and Prisma's runtime costs several times the statement.
   */
  autocommit<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
  /**
   * SQLite only (undefined on PostgreSQL): several autocommit statements run back to back on
   * Prisma's connection, as `autocommit` runs one, with nothing else of this process in between
   * (better-sqlite3 runs each synchronously). `run` takes `?` placeholders and bound values.
   */
  readonly autocommitSteps?: <T>(steps: (run: <R>(sql: string, params: readonly unknown[]) => R[]) => T) => Promise<T>;
  close(): Promise<void>;
}

type Row = Record<string, unknown>;

/** Rows as `all` answers them: the columns named in `kinds` as Date / boolean / number, whatever the engine returned. */
export function convert(rows: Row[], kinds: Readonly<Record<string, ColumnKind>> | undefined): Row[] {
  if (!kinds || rows.length === 0) return rows;
  // The rows of one statement share their columns: only those the statement selected are looked at.
  const entries = Object.entries(kinds).filter(([column]) => column in rows[0]!);
  for (const row of rows) {
    for (const [column, kind] of entries) {
      const value = row[column];
      if (value === null || value === undefined) continue;
      if (kind === "date" && !(value instanceof Date)) row[column] = new Date(value as string);
      else if (kind === "boolean" && typeof value !== "boolean") row[column] = value === 1 || value === 1n;
      else if (kind === "int" && typeof value !== "number") row[column] = Number(value);
    }
  }
  return rows;
}

/** SQLite: Prisma's adapter stores DateTime as ISO 8601 text with "+00:00"; compare in that form. */
function sqliteParam(value: unknown): unknown {
  if (value instanceof Date) return value.toISOString().replace("Z", "+00:00");
  if (typeof value === "boolean") return value ? 1 : 0;
  return value;
}

/** The better-sqlite3 connection under Prisma's adapter (what autocommit needs of it). */
export interface WriterConnection {
  prepare(sql: string): { reader: boolean; all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
}

export interface SqliteWriter {
  /** Prisma's connection once Prisma has opened it. */
  writer(): WriterConnection | null;
  /** Runs `work` when no transaction is open on that connection (database.ts's gate). */
  exclusive<T>(work: () => T | Promise<T>): Promise<T>;
  /** Before that: the same statement through Prisma. */
  viaPrisma<T>(sql: string, params: readonly unknown[]): Promise<T[]>;
}

/** Statements prepared on the writer, by text (their texts are few). */
const MAX_WRITER_STATEMENTS = 200;

export type PreparedStatements = Map<string, ReturnType<WriterConnection["prepare"]>>;

/** Runs one statement on the writer with `?` placeholders, prepared once per text (kept in `cache`). */
export function statementsOn(writer: WriterConnection, cache: PreparedStatements, onQuery?: (sql: string) => void) {
  return <T>(sql: string, params: readonly unknown[]): T[] => {
    onQuery?.(sql);
    let statement = cache.get(sql);
    if (!statement) {
      if (cache.size >= MAX_WRITER_STATEMENTS) cache.clear();
      statement = writer.prepare(sql);
      cache.set(sql, statement);
    }
    const values = params.map(sqliteParam);
    if (!statement.reader) {
      statement.run(...values);
      return [];
    }
    return statement.all(...values) as T[];
  };
}

export async function sqliteReader(file: string, writes: SqliteWriter, onQuery?: (sql: string) => void): Promise<SqlReader> {
  const { default: Database } = await import("better-sqlite3");
  let connection: import("better-sqlite3").Database | null = null;
  // Rows come from the driver as arrays and become objects here: better-sqlite3 builds each row
  // object in C++ a property at a time, which costs a listing page about a third of its statement.
  const statements = new Map<string, { statement: import("better-sqlite3").Statement; columns: string[] }>();
  const writerStatements: PreparedStatements = new Map();
  const prepared = (sql: string) => {
    // Opened on first use: the file may not exist or be migrated when the reader is created.
    connection ??= new Database(file, { readonly: true, timeout: 10_000 });
    let statement = statements.get(sql);
    if (!statement) {
      const prepared = connection.prepare(sql);
      // A statement that returns no data has no raw mode; `all` refuses it as better-sqlite3 does.
      statement = prepared.reader ? { statement: prepared.raw(true), columns: prepared.columns().map((c) => c.name) } : { statement: prepared, columns: [] };
      statements.set(sql, statement);
    }
    return statement;
  };
  const objects = (columns: string[], values: unknown[][]): Row[] =>
    values.map((value) => {
      const row: Row = {};
      for (let i = 0; i < columns.length; i++) row[columns[i]!] = value[i];
      return row;
    });
  const onWriter = (writer: WriterConnection) => statementsOn(writer, writerStatements, onQuery);
  return {
    provider: "sqlite",
    async all<T>(sql: string, params: readonly unknown[], kinds?: Readonly<Record<string, ColumnKind>>) {
      onQuery?.(sql);
      const { statement, columns } = prepared(sql);
      return convert(objects(columns, statement.all(...params.map(sqliteParam)) as unknown[][]), kinds) as T[];
    },
    async autocommit<T>(sql: string, params: readonly unknown[]) {
      const writer = writes.writer();
      if (!writer) return writes.viaPrisma<T>(sql, params);
      const run = onWriter(writer);
      // Between transactions, never inside one (never call this from inside `$transaction`).
      return writes.exclusive(() => run<T>(sql, params));
    },
    async autocommitSteps<T>(steps: (run: <R>(sql: string, params: readonly unknown[]) => R[]) => T) {
      if (!writes.writer()) await writes.viaPrisma("SELECT 1", []); // Prisma opens its connection
      const writer = writes.writer();
      if (!writer) throw new Error("SQLite: Prisma's connection is not open");
      const run = onWriter(writer);
      return writes.exclusive(() => steps(run));
    },
    async close() {
      writerStatements.clear();
      connection?.close();
      connection = null;
      statements.clear();
    },
  };
}

/** Distinct statement texts PostgreSQL keeps prepared per connection; later ones run unprepared. */
const MAX_PREPARED_TEXTS = 300;
const preparedNames = new Map<string, string>();

/** `IN ($1, $2, …)`: Prisma writes one placeholder per item, so each list length is a text of its own. */
const IN_LIST = /\bIN \(\$\d+\s*,/i;

/**
 * PostgreSQL: a name for a statement with parameters, so that each pooled connection parses and
 * plans it once and then only binds (node-pg prepares a named statement on first use per
 * connection). Texts are few: Prisma's for each query shape, and the hand-written ones. Lists of
 * values are not named (their texts vary with the list's length), and past the cap a new text stays
 * unnamed rather than growing every connection's prepared statements.
 */
export function preparedName(sql: string): string | undefined {
  let name = preparedNames.get(sql);
  if (name === undefined && preparedNames.size < MAX_PREPARED_TEXTS && sql.includes("$1") && !IN_LIST.test(sql)) {
    name = `simgate_${preparedNames.size + 1}`;
    preparedNames.set(sql, name);
  }
  return name;
}

/** PostgreSQL: timestamps are UTC without a zone (Prisma's `timestamp(3)`). */
export function postgresParam(value: unknown): unknown {
  return value instanceof Date ? value.toISOString().replace("Z", "") : value;
}

/** node-pg would read a zoneless timestamp in the process's local time zone: read it as UTC. */
export async function postgresTypes() {
  const { default: pg } = await import("pg");
  const TIMESTAMP = 1114;
  return {
    getTypeParser: (oid: number, format?: "text" | "binary") =>
      oid === TIMESTAMP ? (value: string) => new Date(`${value.replace(" ", "T")}Z`) : pg.types.getTypeParser(oid, format as "text"),
  };
}

/** PostgreSQL: `?` → `$n`, and postgresParam / postgresTypes. */
export async function postgresReader(pool: import("pg").Pool, onQuery?: (sql: string) => void): Promise<SqlReader> {
  const texts = new Map<string, string>();
  const numbered = (sql: string) => {
    let text = texts.get(sql);
    if (text === undefined) {
      let n = 0;
      text = sql.replace(/\?/g, () => `$${++n}`);
      texts.set(sql, text);
    }
    return text;
  };
  const types = await postgresTypes();
  return {
    provider: "postgresql",
    async all<T>(sql: string, params: readonly unknown[], kinds?: Readonly<Record<string, ColumnKind>>) {
      onQuery?.(sql);
      const text = numbered(sql);
      const result = await pool.query({ name: preparedName(text), text, values: params.map(postgresParam), types } as import("pg").QueryConfig);
      return convert(result.rows as Row[], kinds) as T[];
    },
    async autocommit<T>(sql: string, params: readonly unknown[]) {
      onQuery?.(sql);
      const result = await pool.query({ name: preparedName(sql), text: sql, values: params as unknown[], types } as import("pg").QueryConfig);
      return result.rows as T[];
    },
    // The pool is Prisma's; whoever disconnects Prisma ends it (database.ts).
    async close() {},
  };
}
