// SIMs named by row ID in a bulk input, locked and loaded in bounded statements, one entry per
// input position: NOT_FOUND (missing, foreign under the tenant's scope: O4, or a name that decoded
// to nothing; under a user's scope also a SIM it may not read: U4) and repeats carry their error;
// a readable SIM the action is not allowed on carries PERMISSION_DENIED (U4, per SIM, input order).
import { chunked } from "../db/chunks.ts";
import type { Provider, Tx } from "../db/database.ts";
import type { Sim } from "../db/generated/sqlite/client.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { judgeSimAccess, type SimAccess } from "../auth/access.ts";
import { lockSims } from "./lock.ts";

const LOOKUP_CHUNK = 250;

export interface NamedSim {
  /** The SIM, also when the position repeats an earlier one. */
  sim: Sim | undefined;
  error: UserError | null;
}

/** `rowIds[i]` is null where the input's i-th name named no SIM. */
export async function lockNamedSimRows(tx: Tx, provider: Provider, rowIds: readonly (string | null)[], access: SimAccess): Promise<NamedSim[]> {
  const known = [...new Set(rowIds.filter((id): id is string => id !== null))];
  await lockSims(tx, provider, known);
  const rows = new Map<string, Sim>();
  // Small chunks: Prisma plans each statement on this thread, in time growing with its IN list.
  for (const ids of chunked(known, LOOKUP_CHUNK)) for (const s of await tx.sim.findMany({ where: { id: { in: ids } } })) rows.set(s.id, s);
  const seen = new Set<string>();
  const field = (i: number) => ["input", "simIds", String(i)];
  const named = rowIds.map((id, i): NamedSim => {
    const sim = id ? rows.get(id) : undefined;
    if (!sim) return { sim, error: userError("NOT_FOUND", "No such SIM.", field(i)) };
    if (seen.has(sim.id)) return { sim, error: userError("INVALID_INPUT", "This SIM is named twice.", field(i)) };
    seen.add(sim.id);
    return { sim, error: null };
  });
  const denied = await judgeSimAccess(tx, access, named.map((n) => (n.error ? undefined : n.sim)), field);
  return named.map((n, i) => (denied[i] ? { sim: n.sim, error: denied[i] } : n));
}
