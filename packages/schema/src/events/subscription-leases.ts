// V4: open subscriptions per operator, counted in the database so the limit holds across every
// instance (a count in one process's memory would let N instances allow N times the limit). Each
// open stream holds a row; its instance renews `expiresAt` while it runs and deletes it at the end.
// A killed instance cannot delete its rows: they stop counting when they expire (lease).
import { randomUUID } from "node:crypto";
import type { Db, Provider } from "../db/database.ts";

/** The operator already has its maximum of open subscriptions. */
export class SubscriptionLimitReached extends Error {
  constructor(readonly limit: number) {
    super(`At most ${limit} subscriptions may be open at once for an operator; close one first.`);
  }
}

export interface LeaseSettings {
  provider: Provider;
  /** Open subscriptions per operator, all instances together. */
  max: number;
  /** A row counts until this long after its last renewal. */
  leaseMs: number;
  /** This process: one statement renews all of its rows. */
  instanceId: string;
}

/** A fresh instance ID (one per server start). */
export const newInstanceId = (): string => randomUUID();

/**
 * Takes one place for `operatorId`, or throws SubscriptionLimitReached. On PostgreSQL the
 * operator's count and insert run under a transaction-scoped advisory lock (two instances cannot
 * both take the last place); SQLite runs one write transaction at a time.
 */
export async function acquireSubscriptionLease(db: Db, settings: LeaseSettings, operatorId: string, now: Date): Promise<string> {
  return db.$transaction(async (tx) => {
    if (settings.provider === "postgresql") {
      await tx.$queryRaw`SELECT pg_advisory_xact_lock(hashtext(${`simgate:subscriptions:${operatorId}`}))::text AS locked`;
    }
    await tx.eventSubscription.deleteMany({ where: { operatorId, expiresAt: { lte: now } } });
    const open = await tx.eventSubscription.count({ where: { operatorId } });
    if (open >= settings.max) throw new SubscriptionLimitReached(settings.max);
    const row = await tx.eventSubscription.create({
      data: { operatorId, instanceId: settings.instanceId, createdAt: now, expiresAt: new Date(now.getTime() + settings.leaseMs) },
      select: { id: true },
    });
    return row.id;
  });
}

/** Gives the place back (the stream ended). */
export async function releaseSubscriptionLease(db: Db, id: string): Promise<void> {
  await db.eventSubscription.deleteMany({ where: { id } });
}

/** Keeps every row of this instance counting for another leaseMs; one statement. */
export async function renewSubscriptionLeases(db: Db, settings: Pick<LeaseSettings, "instanceId" | "leaseMs">, now: Date): Promise<number> {
  const { count } = await db.eventSubscription.updateMany({ where: { instanceId: settings.instanceId }, data: { expiresAt: new Date(now.getTime() + settings.leaseMs) } });
  return count;
}

/** Every row of this instance (shutdown: its streams are closed). */
export async function releaseInstanceLeases(db: Db, instanceId: string): Promise<void> {
  await db.eventSubscription.deleteMany({ where: { instanceId } });
}
