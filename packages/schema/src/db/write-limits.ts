// How long a mutation may hold the database, and what the client hears when it would have to wait
// longer. One operator's burst must not hold the connections every other tenant needs: its writes
// queue in front of the pool (the gate), each transaction is short, and a row lock that does not
// come in time ends the statement instead of pinning the connection until something else gives up.
import { GraphQLError } from "graphql";
import type { Provider } from "./database.ts";
import { withTransactionSettings } from "./transaction-sql.ts";

/** Admits at most a few concurrent writes per key (operator); the rest wait, then are refused. */
export interface WriteGate {
  run<T>(key: string, work: () => Promise<T>): Promise<T>;
}

export interface WriteLimits {
  /** Whole transaction, from BEGIN to COMMIT (Prisma rolls back past it). */
  transactionTimeoutMs: number;
  /** Waiting for a pooled connection to begin the transaction. */
  maxWaitMs: number;
  /** PostgreSQL: waiting for one row lock. */
  lockTimeoutMs: number;
  gate?: WriteGate;
}

export const defaultWriteLimits: WriteLimits = { transactionTimeoutMs: 5000, maxWaitMs: 2000, lockTimeoutMs: 2000 };

export const BUSY_RETRY_AFTER_SECONDS = 1;

/**
 * The request-level refusal for a write that could not get its turn (queue, pool or lock): HTTP
 * 429 with Retry-After. Not 5xx: the server is healthy and nothing was written, the caller (one
 * operator) is asking for more than its share; a mutation sent with an Idempotency-Key can simply
 * be sent again.
 */
export function operatorBusyError(): GraphQLError {
  return new GraphQLError(`The operator's other writes are still running: try again in ${BUSY_RETRY_AFTER_SECONDS} s.`, {
    extensions: {
      code: "OPERATOR_BUSY",
      retryAfterSeconds: BUSY_RETRY_AFTER_SECONDS,
      http: { status: 429, headers: { "retry-after": String(BUSY_RETRY_AFTER_SECONDS) } },
    },
  });
}

export function isOperatorBusy(error: unknown): boolean {
  return error instanceof GraphQLError && error.extensions.code === "OPERATOR_BUSY";
}

/**
 * Opens the mutation's transaction (`open`) under the statement and lock limits: PostgreSQL sets
 * them for this transaction only (SET LOCAL), in the round trip of its BEGIN (transaction-sql.ts).
 */
export function limitedTransaction<T>(limits: WriteLimits, open: () => Promise<T>): Promise<T> {
  return withTransactionSettings({ lockTimeoutMs: limits.lockTimeoutMs, statementTimeoutMs: limits.transactionTimeoutMs }, open);
}

/**
 * SQLite, first thing in a mutation's transaction: the one connection is ours from here, and the
 * statements that follow run synchronously back to back; pending I/O (other tenants' reads) goes
 * first, while this transaction has written nothing yet.
 */
export function yieldFirst(provider: Provider): Promise<void> | undefined {
  if (provider === "sqlite") return new Promise((resolve) => setImmediate(resolve));
}

// PostgreSQL lock_not_available (lock_timeout), query_canceled (statement_timeout), deadlock and
// serialization failures; SQLite's busy database.
const RETRYABLE_SQLSTATES = new Set(["55P03", "57014", "40P01", "40001"]);
// Prisma: transaction could not start within maxWait / expired past its timeout (P2028), pool
// timeout (P2024), write conflict or deadlock (P2034).
const RETRYABLE_PRISMA_CODES = new Set(["P2024", "P2028", "P2034"]);

/** Whether a failed transaction failed for want of time or a lock (rolled back; worth retrying). */
export function isBusyFailure(error: unknown): boolean {
  for (let e = error as Record<string, any> | undefined, depth = 0; e && depth < 5; e = e.cause, depth += 1) {
    if (typeof e.code === "string" && (RETRYABLE_PRISMA_CODES.has(e.code) || RETRYABLE_SQLSTATES.has(e.code))) return true;
    const meta = e.meta as Record<string, any> | undefined;
    const driver = meta?.driverAdapterError?.cause ?? e.cause;
    if (driver && typeof driver === "object") {
      if (typeof driver.originalCode === "string" && RETRYABLE_SQLSTATES.has(driver.originalCode)) return true;
      if (driver.kind === "TransactionWriteConflict" || driver.kind === "SocketTimeout") return true;
      if (typeof driver.code === "string" && RETRYABLE_SQLSTATES.has(driver.code)) return true;
    }
    if (/SQLITE_BUSY|database is locked/i.test(String(e.message ?? ""))) return true;
  }
  return false;
}
