// T5, T10: ending a pending transfer without acceptance returns its SIMs to READY (S2 allows that
// only from TRANSFERRING). SIMs that left TRANSFERRING meanwhile (a session, an expiry) keep their
// status; every SIM is let go of the transfer.
import type { Tx } from "../db/database.ts";
import type { SimTransferStatus } from "../db/generated/sqlite/enums.ts";
import { chunked } from "../db/chunks.ts";

export async function releaseTransfer(tx: Tx, transferId: string, end: Exclude<SimTransferStatus, "PENDING" | "ACCEPTED">, at: Date): Promise<boolean> {
  const claimed = await tx.simTransfer.updateMany({
    where: { id: transferId, status: "PENDING" },
    data: { status: end, canceledAt: at, tokenHash: null },
  });
  if (claimed.count !== 1) return false;
  const held = await tx.sim.findMany({ where: { pendingTransferId: transferId, status: "TRANSFERRING" }, select: { id: true, operatorId: true } });
  for (const ids of chunked(held.map((s) => s.id))) {
    await tx.sim.updateMany({ where: { id: { in: ids } }, data: { status: "READY", pendingTransferId: null } });
  }
  await tx.sim.updateMany({ where: { pendingTransferId: transferId }, data: { pendingTransferId: null } });
  if (held.length > 0) {
    await tx.simStatusChange.createMany({
      data: held.map((s) => ({ simId: s.id, operatorId: s.operatorId!, from: "TRANSFERRING" as const, to: "READY" as const, at, cause: "TRANSFER" as const })),
    });
  }
  return true;
}

/** PostgreSQL: hold the transfer row so accept, reject, cancel and expiry run one at a time. */
export async function lockTransfer(tx: Tx, provider: "sqlite" | "postgresql", transferId: string): Promise<void> {
  if (provider === "postgresql") await tx.$queryRawUnsafe(`SELECT id FROM "SimTransfer" WHERE id = $1 FOR UPDATE`, transferId);
}
