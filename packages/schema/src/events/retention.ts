// V2: events are kept SIMGATE_EVENT_RETENTION_DAYS, then pruned in bounded batches. Each
// operator's log is cut as a prefix (every sequence up to N goes), and N is kept on the operator
// (prunedEventSequence), so a reader after an older sequence learns exactly that it missed
// events (EVENT_CURSOR_EXPIRED) and a reader after a newer one is never told so wrongly.
import type { Db } from "../db/database.ts";

export interface PruneOptions {
  retentionDays: number;
  /** Most events one batch deletes (per operator); the scheduler's next run takes the rest. */
  batchSize?: number;
  /** Most batches one run does. */
  maxBatches?: number;
}

/** Deletes events older than the retention; answers how many. */
export async function pruneEvents(db: Db, now: Date, options: PruneOptions): Promise<number> {
  const cutoff = new Date(now.getTime() - options.retentionDays * 86_400_000);
  const batchSize = options.batchSize ?? 5_000;
  let deleted = 0;
  for (let batch = 0; batch < (options.maxBatches ?? 20); batch += 1) {
    // The oldest expired events (index on `at`); per operator, the highest sequence among them.
    const old = await db.event.findMany({ where: { at: { lt: cutoff } }, select: { operatorId: true, sequence: true }, orderBy: { at: "asc" }, take: batchSize });
    if (old.length === 0) break;
    const upTo = new Map<string, bigint>();
    for (const { operatorId, sequence } of old) {
      const s = BigInt(sequence);
      if (s > (upTo.get(operatorId) ?? 0n)) upTo.set(operatorId, s);
    }
    for (const [operatorId, through] of upTo) {
      deleted += await db.$transaction(async (tx) => {
        const operator = await tx.operator.findUnique({ where: { id: operatorId }, select: { prunedEventSequence: true } });
        if (!operator) return 0;
        // A prefix of at most batchSize events past what was pruned before (sequences are gap-free).
        const from = BigInt(operator.prunedEventSequence);
        const cut = through < from + BigInt(batchSize) ? through : from + BigInt(batchSize);
        if (cut <= from) return 0;
        // Conditional: of two instances pruning at once, one moves the mark and deletes.
        const moved = await tx.operator.updateMany({ where: { id: operatorId, prunedEventSequence: from }, data: { prunedEventSequence: cut } });
        if (moved.count !== 1) return 0;
        const r = await tx.event.deleteMany({ where: { operatorId, sequence: { lte: cut } } });
        return r.count;
      });
    }
    if (old.length < batchSize) break;
  }
  return deleted;
}
