// Row locks for read-judge-write sequences on SIMs. PostgreSQL runs READ COMMITTED, so two
// requests could both judge the same old status; FOR UPDATE makes the second wait and re-read.
// SQLite allows one writer at a time, so there is nothing to lock.
import type { Provider, Tx } from "../db/database.ts";
import { transactionSql } from "../db/transaction-sql.ts";

export async function lockSims(tx: Tx, provider: Provider, ids: readonly string[]): Promise<void> {
  if (provider !== "postgresql" || ids.length === 0) return;
  // Sorted, so concurrent bulk calls lock in the same order and cannot deadlock.
  await transactionSql(tx)(`SELECT id FROM "Sim" WHERE id = ANY($1::text[]) ORDER BY id FOR UPDATE`, [[...ids].sort()]);
}
