// The caller's SIMs named by global IDs in a bulk input: bounded in number, decoded here, then
// locked and loaded by sims/named-sims.ts (one entry per input position).
import { setImmediate as yieldToEventLoop } from "node:timers/promises";
import type { Context } from "../context.ts";
import { chunked } from "../db/chunks.ts";
import type { Tx } from "../db/database.ts";
import { MAX_BULK_SIMS } from "../domain/sim-inventory.ts";
import { userError } from "../domain/user-error.ts";
import { lockNamedSimRows, type NamedSim } from "../sims/named-sims.ts";
import { auditTargets, type AuditDraft } from "../audit/audited.ts";
import { refuse } from "../db/refusal.ts";
import { rowIdOf } from "../ids/global-id.ts";

export type { NamedSim };

/** The row ID each global ID names (null for none), after the bulk limit; the SIMs become audit targets. */
export async function namedSimRowIds(audit: AuditDraft, simIds: readonly string[]): Promise<(string | null)[]> {
  if (simIds.length > MAX_BULK_SIMS) refuse(userError("TOO_MANY_ITEMS", `At most ${MAX_BULK_SIMS} SIMs per call.`, ["input", "simIds"]));
  auditTargets(audit, "Sim", simIds);
  // Decoded in chunks, letting other requests run between them: a bulk call names 1,000 SIMs.
  const rowIds: (string | null)[] = [];
  for (const part of chunked(simIds)) {
    for (const gid of part) rowIds.push(rowIdOf("Sim", gid));
    await yieldToEventLoop();
  }
  return rowIds;
}

/** `action` (U3, e.g. "Sim:terminateSims") is judged on every readable SIM named (U4). */
export async function lockNamedSims(tx: Tx, ctx: Context, audit: AuditDraft, simIds: readonly string[], action: string): Promise<NamedSim[]> {
  return lockNamedSimRows(tx, ctx.provider, await namedSimRowIds(audit, simIds), { principal: ctx.viewer!.principal, action });
}
