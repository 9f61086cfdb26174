// T5, T10: ending a pending transfer without acceptance returns its SIMs to READY (S2 allows that
// only from TRANSFERRING). SIMs that left TRANSFERRING meanwhile (a session, an expiry) keep their
// status; every SIM is let go of the transfer.
import type { Provider, Tx } from "../db/database.ts";
import type { SimTransferStatus } from "../db/generated/sqlite/enums.ts";
import { isTransferDue } from "../domain/sim-transfer.ts";
import { appendTransferChanged } from "../events/sim-events.ts";
import { applyStatusChanges } from "./status-change.ts";

export async function releaseTransfer(tx: Tx, transferId: string, end: Exclude<SimTransferStatus, "PENDING" | "ACCEPTED">, at: Date, actor: string): Promise<boolean> {
  const claimed = await tx.simTransfer.updateMany({
    where: { id: transferId, status: "PENDING" },
    data: { status: end, canceledAt: at, tokenHash: null },
  });
  if (claimed.count !== 1) return false;
  const held = await tx.sim.findMany({ where: { pendingTransferId: transferId, status: "TRANSFERRING" }, select: { id: true, operatorId: true, imsi: true } });
  await applyStatusChanges(
    tx,
    held.map((s) => ({ id: s.id, operatorId: s.operatorId!, imsi: s.imsi, from: "TRANSFERRING" as const, to: "READY" as const, reactivation: false, set: { pendingTransferId: null } })),
    "TRANSFER",
    at,
    { actor },
  );
  const ends = await tx.simTransfer.findUniqueOrThrow({ where: { id: transferId }, select: { id: true, sourceOperatorId: true, destinationOperatorId: true } });
  appendTransferChanged(tx, ends, end, at, actor);
  await tx.sim.updateMany({ where: { pendingTransferId: transferId }, data: { pendingTransferId: null } });
  return true;
}

/** PostgreSQL: hold the transfer row so accept, reject, cancel and expiry run one at a time. */
export async function lockTransfer(tx: Tx, provider: Provider, transferId: string): Promise<void> {
  if (provider === "postgresql") await tx.$queryRawUnsafe(`SELECT id FROM "SimTransfer" WHERE id = $1 FOR UPDATE`, transferId);
}

/** T10: ends a transfer whose time has come; its source (for the audit entry), or null when it was not due or already ended. */
export async function expireTransfer(tx: Tx, provider: Provider, transferId: string, now: Date, actor: string): Promise<{ sourceOperatorId: string } | null> {
  await lockTransfer(tx, provider, transferId);
  const transfer = await tx.simTransfer.findUniqueOrThrow({ where: { id: transferId }, select: { sourceOperatorId: true, status: true, expiresAt: true } });
  if (!isTransferDue(transfer, now) || !(await releaseTransfer(tx, transferId, "EXPIRED", now, actor))) return null;
  return { sourceOperatorId: transfer.sourceOperatorId };
}
