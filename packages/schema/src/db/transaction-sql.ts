// Hand-written statements inside a Prisma interactive transaction, sent straight on the
// transaction's own connection. Prisma's client runtime costs several times a short statement's
// own time on the serving thread (sql-reader.ts), and every write runs a few such statements (the
// statement limits, row locks, the audit entry, the event append), so they skip the runtime.
//
// How a transaction finds its connection: createDb wraps `$transaction` so each interactive
// transaction opens inside an AsyncLocalStorage slot, and its adapter's startTransaction (which
// Prisma calls from that same async context) fills the slot with the connection it took. The
// callback's transaction client is then bound to it. Once Prisma commits or rolls back (a timeout
// included), the connection is back in the pool and may serve someone else: statements after
// that are refused, never sent.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Tx } from "./types.ts";
import { unscopedTx } from "./tenant.ts";

/**
 * Runs one statement in the transaction, written with the engine's own placeholders (`$n` on
 * PostgreSQL, `?` on SQLite). Dates are bound in the engine's stored form; rows come back as
 * objects, PostgreSQL's zoneless timestamps as UTC Dates.
 */
export type TransactionSql = <T = Record<string, unknown>>(sql: string, params: readonly unknown[]) => Promise<T[]>;

/** Limits of one transaction, set with its BEGIN (PostgreSQL, SET LOCAL). */
export interface TransactionSettings {
  lockTimeoutMs: number;
  statementTimeoutMs: number;
}

const settingsStore = new AsyncLocalStorage<TransactionSettings>();

/**
 * Runs `open`, which opens one transaction, so that PostgreSQL gets `settings` in the same round
 * trip as its BEGIN (createDb sends them together) instead of a statement of their own.
 */
export function withTransactionSettings<T>(settings: TransactionSettings, open: () => T): T {
  return settingsStore.run(settings, open);
}

/** The SET LOCAL statements of the transaction being opened here, if it has settings. */
export function transactionSettingsSql(): string | null {
  const settings = settingsStore.getStore();
  if (!settings) return null;
  const ms = (n: number) => {
    if (!Number.isSafeInteger(n) || n < 0) throw new Error(`transaction settings: ${n} is not a whole number of milliseconds`);
    return `'${n}ms'`;
  };
  return `SET LOCAL lock_timeout = ${ms(settings.lockTimeoutMs)}; SET LOCAL statement_timeout = ${ms(settings.statementTimeoutMs)}`;
}

interface Slot {
  opened?: { run: TransactionSql; open: boolean };
}

const opening = new AsyncLocalStorage<Slot>();

/** Prisma's own code for a statement in a transaction that ended (a timeout: write-limits.ts retries it). */
const PRISMA_TRANSACTION_CLOSED = "P2028";
const bound = new WeakMap<object, { run: TransactionSql; open: boolean }>();

/**
 * The adapter's side: the transaction just begun on `run`'s connection belongs to the caller's
 * slot. Answers what to call when Prisma commits or rolls back it: the connection is then no
 * longer this transaction's.
 */
export function transactionOpened(run: TransactionSql): () => void {
  const state = { run, open: true };
  const slot = opening.getStore();
  if (slot && !slot.opened) slot.opened = state;
  return () => {
    state.open = false;
  };
}

/** createDb's side: interactive transactions of `client` get their connection's statements. */
export function bindTransactions(client: { $transaction: (...args: any[]) => any }): void {
  const transaction = client.$transaction;
  client.$transaction = function (this: unknown, ...args: any[]) {
    const [work, ...rest] = args;
    if (typeof work !== "function") return transaction.apply(this, args);
    const slot: Slot = {};
    return opening.run(slot, () =>
      transaction.call(
        this,
        (tx: Tx) => {
          if (slot.opened) bound.set(tx, slot.opened);
          return work(tx);
        },
        ...rest,
      ),
    );
  };
}

/**
 * The statement runner of a transaction client made inside `$transaction` of a createDb client, or
 * of its tenant view (tenant.ts). Its statements are not narrowed to the tenant: they name their
 * operator themselves. Throws when there is none.
 */
export function transactionSql(tx: Tx): TransactionSql {
  const state = bound.get(unscopedTx(tx));
  if (!state) throw new Error("transactionSql: not a transaction of a client made by createDb");
  return (sql, params) => {
    if (!state.open) return Promise.reject(Object.assign(new Error("Transaction already closed: a statement came after its commit, rollback or timeout"), { code: PRISMA_TRANSACTION_CLOSED }));
    return state.run(sql, params);
  };
}

/** How long a transaction of hand-written statements may wait to begin, and last (as Prisma's). */
export interface SqlTransactionOptions {
  maxWait?: number;
  timeout?: number;
}

/** Opens one transaction of hand-written statements on a client's engine (createDb makes one per client). */
export type SqlTransactionOpener = <T>(work: (tx: Tx) => Promise<T>, options: SqlTransactionOptions) => Promise<T>;

const openers = new WeakMap<object, SqlTransactionOpener>();

export function setSqlTransactions(client: object, opener: SqlTransactionOpener): void {
  openers.set(client, opener);
}

export function sqlTransactionsOf(client: object): SqlTransactionOpener | undefined {
  return openers.get(client);
}

/**
 * Runs `work` in a transaction that sends only hand-written statements (`transactionSql(tx)`), with
 * no call through Prisma's client: Prisma's interactive transactions cost about as much CPU as a
 * whole single-SIM change (bench/RESULTS.md). The same connection, gate, settings and limits as
 * `$transaction`: past `maxWait` before it begins, or past `timeout` once begun, it fails with
 * Prisma's own code for that (P2028) and is rolled back. `tx` has no Prisma client: a model call on
 * it throws, so a path that needs one opens its transaction with `$transaction`.
 */
export function sqlTransaction<T>(client: object, work: (tx: Tx) => Promise<T>, options: SqlTransactionOptions = {}): Promise<T> {
  const open = openers.get(client);
  if (!open) throw new Error("sqlTransaction: not a client made by createDb");
  return open(work, options);
}

/** Prisma's "transaction could not start in time / expired" (P2028), which callers already retry or refuse as busy. */
export function transactionTimeoutError(message: string): Error {
  return Object.assign(new Error(message), { code: PRISMA_TRANSACTION_CLOSED });
}

/**
 * The transaction object of a SQL-only transaction on `run`'s connection: transactionSql answers
 * `run` for it until `ended` is called. Any other use of it (a model, `$queryRaw`) throws.
 */
export function sqlOnlyTx(run: TransactionSql): { tx: Tx; ended: () => void } {
  const state = { run, open: true };
  const tx = new Proxy(Object.create(null) as object, {
    get(_target, property) {
      // Promise resolution and inspection look for these; the transaction has none.
      if (typeof property === "symbol" || property === "then") return undefined;
      throw new Error(`This transaction sends hand-written statements only (sqlTransaction); tx.${property} needs $transaction`);
    },
  }) as Tx;
  bound.set(tx, state);
  return {
    tx,
    ended: () => {
      state.open = false;
    },
  };
}
