// Rate-limit counters in the database (RateLimitCounter), so every server instance on it
// counts against the same budget; a counter kept in one process's memory would let N instances
// grant N times the limit. A window starts at a subject's first hit and lasts `windowMs`.
// Every step is one conditional statement, so concurrent hits from any instance are all counted
// (the counting itself is @simgate/schema's db/window-counter.ts, shared with the mail limits).
import type { Db } from "@simgate/schema/db/database";
import { hitWindow, refundWindow, windowKey, type WindowCount } from "@simgate/schema/db/window-counter";
import type { Clock } from "@simgate/schema/domain/clock";

export type HitResult = WindowCount;

/** Counter key of a limiter and its subject: the subject (IP, email, token owner) only as SHA-256. */
export const counterKey = windowKey;

export class RateLimitStore {
  constructor(
    private readonly db: Db,
    private readonly clock: Clock,
  ) {}

  /** Adds `points` to the key's current window (starting a new one when none is open) and reports the total. */
  hit(key: string, windowMs: number, points = 1): Promise<HitResult> {
    return hitWindow(this.db, key, windowMs, this.clock.now(), points);
  }

  /** The key's open window, without counting anything; null when none is open. */
  async current(key: string): Promise<HitResult | null> {
    const open = await this.db.rateLimitCounter.findFirst({ where: { key, resetAt: { gt: this.clock.now() } } });
    return open && { points: open.points, resetAt: open.resetAt };
  }

  /** Gives points back to an open window (a sign-in that turned out right). */
  refund(key: string, points = 1): Promise<void> {
    return refundWindow(this.db, key, this.clock.now(), points);
  }
}

/** Housekeeping: forgets windows that ended before `before`. */
export async function purgeRateLimitCounters(db: Db, before: Date): Promise<number> {
  return (await db.rateLimitCounter.deleteMany({ where: { resetAt: { lt: before } } })).count;
}

/**
 * The per-client budget counts every operation of a signed-in caller: one database write per
 * request would cost the hot read path a third of its throughput. Here each instance adds its hits
 * to the shared counter at most every `syncMs` (and always at a window's first hit), and decides
 * on the shared total it last read plus its own hits since. Several instances may therefore grant
 * together up to one sync interval of each other's traffic beyond the limit; a single instance
 * never does. Brute-force limits stay exact (RateLimitStore.hit on every attempt).
 */
export class BatchedBudget {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly store: RateLimitStore,
    private readonly clock: Clock,
    private readonly syncMs: number,
  ) {}

  async hit(key: string, windowMs: number, points = 1): Promise<HitResult> {
    const now = this.clock.now().getTime();
    const entry = this.entries.get(key);
    if (!entry || entry.shared.resetAt.getTime() <= now) {
      if (this.entries.size > 10_000) this.forgetEnded(now);
      const shared = await this.store.hit(key, windowMs, points);
      // Concurrent first hits each count in the store but answer in any order: the entry keeps
      // the highest total read for its window, so the last answer never lowers what later hits
      // decide on.
      const current = this.entries.get(key);
      if (current && current.shared.resetAt.getTime() === shared.resetAt.getTime()) keepHighest(current, shared);
      else this.entries.set(key, { shared, unsynced: 0, sending: 0, syncedAt: now, syncing: null });
      return shared;
    }
    entry.unsynced += points;
    if (now - entry.syncedAt >= this.syncMs && !entry.syncing) {
      const sending = entry.unsynced;
      entry.unsynced = 0;
      entry.sending = sending;
      entry.syncedAt = now;
      entry.syncing = this.store.hit(key, windowMs, sending).then(
        (shared) => {
          keepHighest(entry, shared);
          entry.sending = 0;
          entry.syncing = null;
        },
        (error: unknown) => {
          entry.unsynced += sending;
          entry.sending = 0;
          entry.syncing = null;
          throw error;
        },
      );
      await entry.syncing;
    }
    // Hits that arrive while a sync is on its way still count the points it carries.
    return { points: entry.shared.points + entry.sending + entry.unsynced, resetAt: entry.shared.resetAt };
  }

  private forgetEnded(now: number): void {
    for (const [key, entry] of this.entries) if (entry.shared.resetAt.getTime() <= now && !entry.syncing) this.entries.delete(key);
  }
}

type Entry = { shared: HitResult; unsynced: number; sending: number; syncedAt: number; syncing: Promise<void> | null };

/** A window's count in the store only grows: an older answer never replaces a newer one. */
function keepHighest(entry: Entry, shared: HitResult): void {
  if (shared.resetAt.getTime() !== entry.shared.resetAt.getTime() || shared.points > entry.shared.points) entry.shared = shared;
}
