// The UPDATE of the single-SIM mutations (S1 name, S6 protection, S7 expiry): one statement on the
// transaction's own connection (db/transaction-sql.ts), not a call through Prisma's client, whose
// runtime costs several times the statement (bench/RESULTS.md, "Write path"). The SIM has been read
// under the transaction's lock and judged first (O4, U4); the statement still names its operator,
// as every hand-written statement does.
import type { Provider, Tx } from "../db/database.ts";
import { transactionSql } from "../db/transaction-sql.ts";
import type { ExpiryAction } from "../domain/sim-expiry.ts";

export interface SimColumnChanges {
  name?: string | null;
  nameKey?: string | null;
  terminationProtected?: boolean;
  expiresAt?: Date | null;
  expiryAction?: ExpiryAction | null;
  expiryAppliedAt?: Date | null;
}

/** The columns this statement may set: names written here, never taken from the changes object. */
const COLUMNS = ["name", "nameKey", "terminationProtected", "expiresAt", "expiryAction", "expiryAppliedAt", "updatedAt"] as const;

/**
 * Sets `changes` and `updatedAt` (Prisma's @updatedAt, which this statement bypasses) on one SIM,
 * and answers the SIM as the transaction now holds it: `sim` (read under the transaction's lock)
 * with the columns written. SimPayload answers a selection of columns from that row
 * (graphql/sim.ts) instead of reading the SIM again after the commit.
 */
export async function updateSimColumns<S extends { id: string; operatorId: string }>(
  tx: Tx,
  provider: Provider,
  sim: S,
  changes: SimColumnChanges,
  now: Date,
): Promise<S & SimColumnChanges & { updatedAt: Date }> {
  const values: Partial<Record<(typeof COLUMNS)[number], unknown>> = { ...changes, updatedAt: now };
  const columns = COLUMNS.filter((column) => values[column] !== undefined).map((column) => [column, values[column]] as const);
  const mark = (i: number) => (provider === "postgresql" ? `$${i + 1}` : "?");
  const set = columns.map(([column], i) => `"${column}" = ${mark(i)}${provider === "postgresql" && column === "expiryAction" ? `::"ExpiryAction"` : ""}`);
  await transactionSql(tx)(
    `UPDATE "Sim" SET ${set.join(", ")} WHERE "id" = ${mark(columns.length)} AND "operatorId" = ${mark(columns.length + 1)}`,
    [...columns.map(([, value]) => value), sim.id, sim.operatorId],
  );
  return { ...sim, ...Object.fromEntries(columns), updatedAt: now } as S & SimColumnChanges & { updatedAt: Date };
}
