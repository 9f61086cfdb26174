// Row locks for read-judge-write sequences on SIMs. PostgreSQL runs READ COMMITTED, so two
// requests could both judge the same old status; FOR UPDATE makes the second wait and re-read.
// SQLite allows one writer at a time, so there is nothing to lock.
import type { Provider, Tx } from "../db/database.ts";
import { transactionSql } from "../db/transaction-sql.ts";
import { convert } from "../db/sql-reader.ts";
import { simKinds } from "./listing-sql.ts";
import type { Sim } from "../db/generated/sqlite/client.ts";

export async function lockSims(tx: Tx, provider: Provider, ids: readonly string[]): Promise<void> {
  if (provider !== "postgresql" || ids.length === 0) return;
  // Sorted, so concurrent bulk calls lock in the same order and cannot deadlock.
  await transactionSql(tx)(`SELECT id FROM "Sim" WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [[...ids].sort()]);
}

const SIM_COLUMNS = Object.keys(simKinds).map((column) => `"${column}"`).join(", ");

/**
 * One SIM of `operatorId` (O4) with every column, read and locked in one statement (PostgreSQL
 * `FOR UPDATE`; SQLite's one writer is held already); null when the operator has no such SIM. For
 * callers whose reads U4 does not narrow: the others read through the tenant client after
 * lockSims.
 */
export async function lockedOwnSim(tx: Tx, provider: Provider, operatorId: string, id: string): Promise<Sim | null> {
  const postgres = provider === "postgresql";
  const rows = await transactionSql(tx)<Record<string, unknown>>(
    `SELECT ${SIM_COLUMNS} FROM "Sim" WHERE "id" = ${postgres ? "$1" : "?"} AND "operatorId" = ${postgres ? "$2" : "?"}${postgres ? " FOR UPDATE" : ""}`,
    [id, operatorId],
  );
  return (convert(rows, simKinds)[0] as Sim | undefined) ?? null;
}
