// A check for code that takes a second connection while its transaction holds one (and maybe a
// row lock): a read on the base client inside `$transaction` waits for a free connection while
// keeping its own, so a burst of such calls can hold the whole pool and wait on itself. On SQLite
// the same read silently runs inside the open transaction. Tests turn the check on (createDb's
// onQueryBesideTransaction); it costs one AsyncLocalStorage look-up per statement.
import { AsyncLocalStorage } from "node:async_hooks";
import type { Db } from "./types.ts";
import type { SqlReader } from "./sql-reader.ts";
import { setSqlTransactions, sqlTransactionsOf } from "./transaction-sql.ts";

/** Called with the statement and where it was sent from. */
export type BesideTransactionHandler = (violation: { sql: string; stack: string }) => void;

const transactions = new AsyncLocalStorage<{ open: boolean }>();

function check(onViolation: BesideTransactionHandler, sql: string): void {
  if (transactions.getStore()?.open) onViolation({ sql, stack: new Error("statement beside an open transaction").stack ?? "" });
}

/**
 * Marks the async context of every transaction as holding a connection until it ends, and checks
 * each Prisma call where it is made (a transaction's own calls carry it; Prisma may send a call
 * from another context later, batched with others, so the check cannot wait for the driver).
 */
export function guardTransactions(db: Db, onViolation: BesideTransactionHandler): void {
  const client = db as unknown as Record<string, (...args: any[]) => any>;
  const transaction = client.$transaction!;
  // Both kinds of transaction: Prisma's, and those of hand-written statements (sqlTransaction).
  const holding = <T>(begin: () => Promise<T>): Promise<T> => {
    check(onViolation, "BEGIN (a transaction inside a transaction)");
    const state = { open: true };
    return transactions.run(state, begin).finally(() => {
      state.open = false;
    });
  };
  client.$transaction = function (this: unknown, ...args: unknown[]) {
    return holding(() => transaction.apply(this, args) as Promise<unknown>);
  };
  const open = sqlTransactionsOf(db);
  if (open) setSqlTransactions(db, (work, limits) => holding(() => open(work, limits)));
  const request = client._request!;
  client._request = function (this: unknown, params: { transaction?: unknown; model?: string; action?: string; clientMethod?: string }) {
    if (!params.transaction) check(onViolation, params.model ? `${params.model}.${params.action}` : String(params.clientMethod ?? params.action));
    return request.call(this, params);
  };
}

/** The hand-written reads take a pooled connection (PostgreSQL) or their own (SQLite) too. */
export function guardReader(reader: SqlReader, onViolation: BesideTransactionHandler): SqlReader {
  const all = reader.all.bind(reader);
  (reader as { all: SqlReader["all"] }).all = (sql, params, kinds) => {
    check(onViolation, sql);
    return all(sql, params, kinds);
  };
  const autocommit = reader.autocommit.bind(reader);
  (reader as { autocommit: SqlReader["autocommit"] }).autocommit = (sql, params) => {
    check(onViolation, sql);
    return autocommit(sql, params);
  };
  const steps = reader.autocommitSteps?.bind(reader);
  if (steps) {
    (reader as { autocommitSteps: SqlReader["autocommitSteps"] }).autocommitSteps = (work) => {
      check(onViolation, "autocommit steps");
      return steps(work);
    };
  }
  return reader;
}
