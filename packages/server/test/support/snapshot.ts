// "Bad input changes nothing": a snapshot of every table's rows to compare before and after.
import type { Db } from "@simgate/schema/db/database";

const models = ["operator", "emailAddress", "session", "authKey", "supportTicket", "supportMessage", "outboxMessage", "sim", "simTag", "simStatusChange"] as const;

/** Every row of every table but the audit log (refusals are audited by design, O6). */
export async function snapshot(db: Db): Promise<string> {
  const parts: Record<string, unknown> = {};
  for (const model of models) {
    parts[model] = await (db[model] as unknown as { findMany(a: unknown): Promise<unknown[]> }).findMany({ orderBy: { id: "asc" } });
  }
  return JSON.stringify(parts);
}
