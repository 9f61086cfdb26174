// Whole-database invariants of SIMs and transfers, read straight from the tables after concurrent
// or interrupted work (several instances, kill -9). Each check returns the rows that break it, so a
// failure names them. Assumes no network session touched a SIM of a pending transfer (T4 allows a
// session to move such a SIM out of TRANSFERRING; the tests using these checks open none).
import type { Db } from "@simgate/schema/db/database";

/** The database row ID inside a global ID ("Type:rowId", base64). */
export const rowIdOf = (globalId: string): string => Buffer.from(globalId, "base64").toString().split(":")[1]!;

export interface Violation {
  rule: string;
  rows: unknown[];
}

/** T3–T10 over every SIM and transfer in the database; empty when all hold. */
export async function transferViolations(db: Db): Promise<Violation[]> {
  const transfers = await db.simTransfer.findMany({ include: { items: { select: { simId: true } } } });
  const sims = await db.sim.findMany({ select: { id: true, status: true, operatorId: true, pendingTransferId: true } });
  const history = await db.simStatusChange.findMany({ where: { OR: [{ to: "TRANSFERRING" }, { from: "TRANSFERRING" }] }, select: { simId: true, from: true, to: true, cause: true } });
  const byId = new Map(transfers.map((t) => [t.id, t]));
  const out: Violation[] = [];
  const add = (rule: string, rows: unknown[]) => rows.length > 0 && out.push({ rule, rows });

  // No TRANSFERRING SIM without a PENDING transfer that lists it and whose source owns it.
  add(
    "TRANSFERRING SIM without its PENDING transfer",
    sims.filter((s) => {
      if (s.status !== "TRANSFERRING") return false;
      const t = s.pendingTransferId ? byId.get(s.pendingTransferId) : undefined;
      return !t || t.status !== "PENDING" || t.sourceOperatorId !== s.operatorId || !t.items.some((i) => i.simId === s.id);
    }),
  );
  // And the other way: a PENDING transfer holds every one of its SIMs, TRANSFERRING at the source.
  const simById = new Map(sims.map((s) => [s.id, s]));
  add(
    "PENDING transfer whose SIM is not held TRANSFERRING at the source",
    transfers
      .filter((t) => t.status === "PENDING")
      .flatMap((t) => t.items.map((i) => ({ transfer: t.id, sim: simById.get(i.simId) })))
      .filter(({ transfer, sim }) => !sim || sim.status !== "TRANSFERRING" || sim.pendingTransferId !== transfer),
  );
  add("SIM pointing at a transfer that is not PENDING", sims.filter((s) => s.pendingTransferId && byId.get(s.pendingTransferId)?.status !== "PENDING"));

  // A SIM is in at most one PENDING transfer, and its owner is the destination of its last accepted one.
  const pendingPerSim = new Map<string, number>();
  const lastAccepted = new Map<string, { destination: string; at: number }>();
  const transfersPerSim = new Map<string, { all: number; ended: number }>();
  for (const t of transfers) {
    for (const { simId } of t.items) {
      if (t.status === "PENDING") pendingPerSim.set(simId, (pendingPerSim.get(simId) ?? 0) + 1);
      if (t.status === "ACCEPTED") {
        const at = t.acceptedAt!.getTime();
        if ((lastAccepted.get(simId)?.at ?? -1) < at) lastAccepted.set(simId, { destination: t.destinationOperatorId, at });
      }
      const n = transfersPerSim.get(simId) ?? { all: 0, ended: 0 };
      n.all += 1;
      if (t.status !== "PENDING") n.ended += 1;
      transfersPerSim.set(simId, n);
    }
  }
  add("SIM in two PENDING transfers", [...pendingPerSim].filter(([, n]) => n > 1));
  add(
    "SIM not owned by the destination of its accepted transfer",
    [...lastAccepted].filter(([simId, a]) => simById.get(simId)?.operatorId !== a.destination).map(([simId, a]) => ({ simId, expected: a.destination, owner: simById.get(simId)?.operatorId })),
  );

  // Every issue and every end of a transfer is in each SIM's history exactly once.
  const entered = new Map<string, number>();
  const left = new Map<string, number>();
  for (const h of history) {
    if (h.to === "TRANSFERRING") entered.set(h.simId, (entered.get(h.simId) ?? 0) + 1);
    if (h.from === "TRANSFERRING" && h.cause === "TRANSFER") left.set(h.simId, (left.get(h.simId) ?? 0) + 1);
  }
  add(
    "history entries into / out of TRANSFERRING differ from the SIM's transfers",
    [...transfersPerSim]
      .map(([simId, n]) => ({ simId, transfers: n.all, ended: n.ended, entered: entered.get(simId) ?? 0, left: left.get(simId) ?? 0 }))
      .filter((r) => r.entered !== r.transfers || r.left !== r.ended),
  );
  return out;
}

/** Audit entries per action (all operators), for comparing with the mutations that answered. */
export async function auditCounts(db: Db): Promise<Record<string, { total: number; succeeded: number }>> {
  const rows = await db.auditLogEntry.groupBy({ by: ["action", "result"], _count: true });
  const out: Record<string, { total: number; succeeded: number }> = {};
  for (const r of rows) {
    const c = (out[r.action] ??= { total: 0, succeeded: 0 });
    c.total += r._count;
    if (r.result === "SUCCEEDED") c.succeeded += r._count;
  }
  return out;
}
