// Related rows of a list without N+1: every look-up of one model with one query shape, made
// while a page's fields resolve, is answered by one findMany per chunk of IDs (through the
// request's tenant client, so O4 still holds). Prisma cannot batch these itself: the tenant
// client turns findUnique into findFirst.
import type { Context } from "../context.ts";
import { chunked } from "../db/chunks.ts";

type Row = { id: string };
type Delegate = { findMany(args: object): Promise<Row[]> };

interface Batch {
  ids: Set<string>;
  rows: Promise<Map<string, Row>>;
}

const batches = new WeakMap<Context, Map<string, Batch>>();

/**
 * The row of `model` with this ID that also matches `where`, read with `query` (a Pothos
 * prismaField query); null when there is none. Calls in the same turn share their statements.
 */
export function batchLoad<T>(ctx: Context, model: "sim" | "simTransfer" | "supportTicket" | "simStatusChange", query: object, id: string, where: object = {}): Promise<T | null> {
  const key = JSON.stringify([model, query, where]);
  const open = batches.get(ctx) ?? batches.set(ctx, new Map()).get(ctx)!;
  let batch = open.get(key);
  if (!batch) {
    const ids = new Set<string>();
    const rows = new Promise<Map<string, Row>>((resolve, reject) => {
      // After every field of the page asked (they resolve in the same turn).
      setImmediate(() => {
        open.delete(key);
        const delegate = (ctx.db as unknown as Record<string, Delegate>)[model]!;
        const planned = query as { select?: Record<string, unknown> };
        const args = planned.select ? { ...planned, select: { ...planned.select, id: true } } : planned;
        Promise.all(chunked([...ids]).map((part) => delegate.findMany({ ...args, where: { ...where, id: { in: part } } })))
          .then((parts) => resolve(new Map(parts.flat().map((row) => [row.id, row]))))
          .catch(reject);
      });
    });
    batch = { ids, rows };
    open.set(key, batch);
  }
  batch.ids.add(id);
  return batch.rows.then((found) => (found.get(id) as T | undefined) ?? null);
}
