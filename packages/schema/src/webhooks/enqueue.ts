// V5, V8: deliveries are created in the transaction that appends the events, so a crash can lose
// neither: both commit or neither does. One INSERT … SELECT per operator and transaction, whatever
// the number of events or endpoints (set-based). It copies the event's own time as the delivery's
// creation and first due time, so no clock value needs to cross the engine boundary. PostgreSQL
// makes them inside the append's own statement (events/append.ts); SQLite with the statement here,
// right after an operator's events.
import type { TransactionSql } from "../db/transaction-sql.ts";

/**
 * Type filter of an endpoint against an event, in SQL: `eventTypes` is a JSON array of type names
 * ("[]": every type); a name is matched with its quotes, so no type matches inside another.
 */
export const ENDPOINT_MATCHES_EVENT_SQL = `(w."eventTypes" = '[]' OR w."eventTypes" LIKE '%"' || e."type" || '"%')`;

/**
 * SQLite: queues one delivery per enabled endpoint of `operatorId` and event of sequence
 * first..last it subscribes to, through the transaction's own statements; answers how many.
 */
export async function queueDeliveriesOnSqlite(run: TransactionSql, operatorId: string, firstSequence: bigint, lastSequence: bigint): Promise<number> {
  const made = await run(
    `INSERT INTO "WebhookDelivery" ("id", "endpointId", "eventId", "status", "attempts", "nextAttemptAt", "createdAt")
     SELECT lower(hex(randomblob(16))), w."id", e."id", 'PENDING', 0, e."at", e."at"
     FROM "Event" e JOIN "WebhookEndpoint" w ON w."operatorId" = e."operatorId"
     WHERE e."operatorId" = ? AND e."sequence" >= ? AND e."sequence" <= ? AND w."enabled" = true AND ${ENDPOINT_MATCHES_EVENT_SQL}
     RETURNING 1 AS "made"`,
    [operatorId, firstSequence, lastSequence],
  );
  return made.length;
}
