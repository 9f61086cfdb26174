// `nodes(ids:)`: the objects behind up to 100 global IDs (input-bounds.ts), one query per type and
// chunk instead of the relay plugin's one look-up per ID (which Prisma cannot batch through the
// tenant client: ctx.db turns findUnique into findFirst). Every Node type is a prismaNode whose
// model has the type's name and an `id` column; the selection is planned from the query, as
// the relay plugin plans it for one node.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import { brandWithType } from "@pothos/core";
import { queryFromInfo } from "@pothos/plugin-prisma";
import type { GraphQLResolveInfo } from "graphql";
import type { Context } from "../context.ts";
import { chunked } from "../db/chunks.ts";

type Decoded = { typename: string; id: string } | null;
type Delegate = { findMany(args: object): Promise<{ id: string }[]> };

/** Each request's last look-up, which the next one waits for (inTurn). */
const lastLookUp = new WeakMap<object, Promise<unknown>>();

/**
 * A request's look-ups run one after another, each after the event loop has turned, so other
 * requests run between them. A document may ask for several lists at once (aliases): their
 * look-ups start together, and on SQLite (synchronous under its promises) they would otherwise run
 * back to back in one turn of the loop.
 */
function inTurn<T>(ctx: Context, lookUp: () => Promise<T>): Promise<T> {
  const mine = (lastLookUp.get(ctx) ?? Promise.resolve())
    .catch(() => undefined)
    .then(() => yieldToEventLoop())
    .then(lookUp);
  lastLookUp.set(ctx, mine);
  return mine;
}

export async function loadNodes(ctx: Context, info: GraphQLResolveInfo, ids: readonly Decoded[]): Promise<(object | null)[]> {
  const byType = new Map<string, Set<string>>();
  for (const id of ids) if (id) byType.set(id.typename, (byType.get(id.typename) ?? new Set()).add(id.id));
  const found = new Map<string, object>();
  for (const [typename, rowIds] of byType) {
    const delegate = (ctx.db as unknown as Record<string, Delegate | undefined>)[typename[0]!.toLowerCase() + typename.slice(1)];
    if (!delegate) continue;
    const query = (await queryFromInfo({ context: ctx, info, typeName: typename, awaitSelections: true })) as { select?: Record<string, unknown> };
    const planned = query.select ? { ...query, select: { ...query.select, id: true } } : query;
    for (const chunk of chunked([...rowIds])) {
      for (const row of await inTurn(ctx, () => delegate.findMany({ ...planned, where: { id: { in: chunk } } }))) {
        brandWithType(row, typename as never);
        found.set(`${typename}:${row.id}`, row);
      }
    }
  }
  return ids.map((id) => (id ? (found.get(`${id.typename}:${id.id}`) ?? null) : null));
}
