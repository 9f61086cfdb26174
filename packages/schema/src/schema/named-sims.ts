// The caller's SIMs named by global IDs in a bulk input, locked and loaded in bounded statements,
// one entry per input position: NOT_FOUND (missing or foreign, O4) and repeats carry their error.
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Context } from "../context.ts";
import { chunked } from "../db/chunks.ts";
import type { Tx } from "../db/database.ts";
import type { Sim } from "../db/generated/sqlite/client.ts";
import { MAX_BULK_SIMS } from "../domain/sim-inventory.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { lockSims } from "../sims/lock.ts";
import { auditTargets, refuse, type AuditDraft } from "./audited-mutation.ts";
import { rowIdOf } from "./global-id.ts";

const LOOKUP_CHUNK = 250;

export interface NamedSim {
  /** The SIM, also when the position repeats an earlier one. */
  sim: Sim | undefined;
  error: UserError | null;
}

export async function lockNamedSims(tx: Tx, ctx: Context, audit: AuditDraft, simIds: readonly string[]): Promise<NamedSim[]> {
  if (simIds.length > MAX_BULK_SIMS) refuse(userError("TOO_MANY_ITEMS", `At most ${MAX_BULK_SIMS} SIMs per call.`, ["input", "simIds"]));
  auditTargets(audit, "Sim", simIds);
  // Decoded in chunks, letting other requests run between them: a bulk call names 1,000 SIMs.
  const rowIds: (string | null)[] = [];
  for (const part of chunked(simIds)) {
    for (const gid of part) rowIds.push(rowIdOf("Sim", gid));
    await yieldToEventLoop();
  }
  const known = [...new Set(rowIds.filter((id): id is string => id !== null))];
  await lockSims(tx, ctx.provider, known);
  const rows = new Map<string, Sim>();
  // Small chunks: Prisma plans each statement on this thread, in time growing with its IN list.
  for (const ids of chunked(known, LOOKUP_CHUNK)) for (const s of await tx.sim.findMany({ where: { id: { in: ids } } })) rows.set(s.id, s);
  const seen = new Set<string>();
  return rowIds.map((id, i) => {
    const field = ["input", "simIds", String(i)];
    const sim = id ? rows.get(id) : undefined;
    if (!sim) return { sim, error: userError("NOT_FOUND", "No such SIM.", field) };
    if (seen.has(sim.id)) return { sim, error: userError("INVALID_INPUT", "This SIM is named twice.", field) };
    seen.add(sim.id);
    return { sim, error: null };
  });
}
