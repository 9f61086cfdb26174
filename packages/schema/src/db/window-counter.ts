// Fixed-window counters in RateLimitCounter, shared by every server instance on the database (a
// count in one process's memory would let N instances allow N times the limit). Each step is one
// conditional statement, so concurrent hits from any instance are all counted. Not for use inside a
// transaction: a colliding insert is caught and retried, which PostgreSQL allows only outside one.
import { createHash } from "node:crypto";
import { isUniqueViolation } from "./unique-violation.ts";
import type { Db } from "./database.ts";

export interface WindowCount {
  /** Points in the current window, this hit included. */
  points: number;
  resetAt: Date;
}

/** A counter's key: the limiter's name and its subject, the subject (address, operator) only as SHA-256. */
export function windowKey(limiter: string, subject: string): string {
  return `${limiter}:${createHash("sha256").update(subject).digest("hex")}`;
}

/** Adds `points` to the key's open window, or starts one at `now` lasting `windowMs`. */
export async function hitWindow(db: Db, key: string, windowMs: number, now: Date, points = 1): Promise<WindowCount> {
  for (;;) {
    const [open] = await db.rateLimitCounter.updateManyAndReturn({ where: { key, resetAt: { gt: now } }, data: { points: { increment: points } } });
    if (open) return { points: open.points, resetAt: open.resetAt };
    await db.rateLimitCounter.deleteMany({ where: { key, resetAt: { lte: now } } });
    try {
      const created = await db.rateLimitCounter.create({ data: { key, points, resetAt: new Date(now.getTime() + windowMs) } });
      return { points: created.points, resetAt: created.resetAt };
    } catch (error) {
      // Another hit started the window first: count in that one.
      if (!isUniqueViolation(error)) throw error;
    }
  }
}

/** Takes points back from the key's open window (what they counted did not happen). */
export async function refundWindow(db: Db, key: string, now: Date, points = 1): Promise<void> {
  await db.rateLimitCounter.updateMany({ where: { key, resetAt: { gt: now }, points: { gte: points } }, data: { points: { decrement: points } } });
}
