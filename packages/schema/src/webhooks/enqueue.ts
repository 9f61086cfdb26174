// V5, V8: deliveries are created in the transaction that appends the events (events/append.ts
// calls this right after writing an operator's events), so a crash can lose neither: both commit
// or neither does. One INSERT … SELECT per operator and transaction, whatever the number of events
// or endpoints (set-based). It copies the event's own time as the delivery's creation and first
// due time, so no clock value needs to cross the engine boundary.
import type { Provider } from "../db/database.ts";
import type { TransactionSql } from "../db/transaction-sql.ts";

/** A fresh delivery ID in SQL (deliveries are made in bulk by the database, not by the client). */
export function deliveryIdSql(provider: Provider): string {
  return provider === "postgresql" ? "gen_random_uuid()::text" : "lower(hex(randomblob(16)))";
}

/**
 * Type filter of an endpoint against an event, in SQL: `eventTypes` is a JSON array of type names
 * ("[]": every type); a name is matched with its quotes, so no type matches inside another.
 */
export const ENDPOINT_MATCHES_EVENT_SQL = `(w."eventTypes" = '[]' OR w."eventTypes" LIKE '%"' || e."type" || '"%')`;

/**
 * Queues one delivery per enabled endpoint of `operatorId` and event of sequence first..last it
 * subscribes to, through the transaction's own statements (db/transaction-sql.ts); answers how many.
 */
export async function queueDeliveriesForEvents(run: TransactionSql, provider: Provider, operatorId: string, firstSequence: bigint, lastSequence: bigint): Promise<number> {
  const [a, b, c] = params(provider, 3);
  const made = await run(
    `INSERT INTO "WebhookDelivery" ("id", "endpointId", "eventId", "status", "attempts", "nextAttemptAt", "createdAt")
     SELECT ${deliveryIdSql(provider)}, w."id", e."id", 'PENDING', 0, e."at", e."at"
     FROM "Event" e JOIN "WebhookEndpoint" w ON w."operatorId" = e."operatorId"
     WHERE e."operatorId" = ${a} AND e."sequence" >= ${b} AND e."sequence" <= ${c} AND w."enabled" = true AND ${ENDPOINT_MATCHES_EVENT_SQL}
     RETURNING 1 AS "made"`,
    [operatorId, firstSequence, lastSequence],
  );
  return made.length;
}

/** Positional placeholders as each engine writes them. */
export function params(provider: Provider, n: number): string[] {
  return Array.from({ length: n }, (_, i) => (provider === "postgresql" ? `$${i + 1}` : "?"));
}
