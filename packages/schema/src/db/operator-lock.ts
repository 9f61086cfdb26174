import type { Tx } from "./database.ts";

/**
 * Serializes the operator's concurrent writes that check a count first (address limits,
 * one request a month, groups): the row update takes a lock held until the transaction ends.
 */
export function lockOperator(tx: Tx, operatorRowId: string, now: Date) {
  return tx.operator.update({ where: { id: operatorRowId }, data: { updatedAt: now } });
}
