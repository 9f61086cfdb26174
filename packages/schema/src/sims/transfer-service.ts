// T1–T10: the transactional side of SIM transfers. Each function runs inside the caller's
// transaction: it locks and reads the rows, asks domain/sim-transfer.ts, and writes SIMs (through
// sims/status-change.ts), transfer rows and mail. Refusals are thrown (db/refusal.ts) and roll
// everything back. SIMs and transfers arrive as row IDs, already decoded by the caller.
import { chunked } from "../db/chunks.ts";
import type { Provider, Tx } from "../db/database.ts";
import { refuse, refuseIf } from "../db/refusal.ts";
import { digestToken, newToken } from "../domain/credentials.ts";
import {
  TRANSFER_TOKEN_PREFIX,
  acceptedSimState,
  applicationTicket,
  invalidToken,
  isDestinationIdWellFormed,
  isTokenWellFormed,
  judgeApplicationNote,
  judgeApplicationSims,
  judgeBatchHeld,
  judgeCancel,
  judgeDestination,
  judgeIncomingTransfer,
  judgeIssuedSims,
  judgePaymentMethod,
  judgeSimCount,
  judgeTokenTransfer,
  noLongerPending,
  transferDateOf,
  transferExpiresAt,
} from "../domain/sim-transfer.ts";
import { userError } from "../domain/user-error.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { simTransferTokenMail } from "../mail/templates.ts";
import { openTicket } from "../support/tickets.ts";
import { lockGroupsOfSims } from "../groups/sim-groups.ts";
import { lockSims } from "./lock.ts";
import { lockNamedSimRows } from "./named-sims.ts";
import type { Principal } from "../context.ts";
import { tenantTx } from "../db/tenant.ts";
import { applyStatusChanges, LISTED_FOREVER } from "./status-change.ts";
import { appendTransferChanged } from "../events/sim-events.ts";
import { lockTransfer, releaseTransfer } from "./transfer.ts";

export interface TransferRun {
  /** The transaction as the caller may see it (scoped to the viewer, or not). */
  tx: Tx;
  /** The same transaction unscoped: the destination operator is another tenant's row. */
  raw: Tx;
  provider: Provider;
  /** The signed-in operator's row ID. */
  viewerId: string;
  /** Who acts (U3): SIMs a transfer names are judged for this principal (U4). */
  principal: Principal;
  /** V1: who acts (the audit entry's actor), for the events. */
  actor: string;
  now: Date;
}

export interface Destination {
  destinationOperatorId: string;
  destinationEmail: string;
}

/** T2: the destination named by operator ID and primary address, or the refusal (not thrown yet). */
async function findDestination(run: TransferRun, given: Destination) {
  const email = given.destinationEmail;
  if (!isDestinationIdWellFormed(given.destinationOperatorId)) return { error: judgeDestination({ operatorId: given.destinationOperatorId, email }, null, run.viewerId) };
  const found = await run.raw.operator.findUnique({
    where: { operatorId: given.destinationOperatorId },
    select: { id: true, operatorId: true, emailAddresses: { where: { primaryOf: { not: null } }, select: { address: true, normalized: true } } },
  });
  const primary = found?.emailAddresses[0];
  const error = judgeDestination({ operatorId: given.destinationOperatorId, email }, found ? { id: found.id, primaryNormalized: primary?.normalized ?? null } : null, run.viewerId);
  return error ? { error } : { destination: { id: found!.id, operatorId: found!.operatorId, primary: primary!.address } };
}

/** The SIMs a transfer or application names, locked; NOT_FOUND and repeats come back as errors. */
async function namedSims(run: TransferRun, simRowIds: readonly (string | null)[], action: string) {
  const named = await lockNamedSimRows(run.tx, run.provider, simRowIds, { principal: run.principal, action });
  return { sims: named.map((n) => n.sim), errors: named.flatMap((n) => (n.error ? [n.error] : [])) };
}

/** T1–T3: the batch becomes TRANSFERRING and the token is mailed to the destination; answers the transfer's row ID. */
export async function issueTransfer(run: TransferRun, input: Destination & { simRowIds: readonly (string | null)[]; ttlHours: number }): Promise<{ id: string }> {
  const { tx, now, viewerId } = run;
  const found = await findDestination(run, input);
  const { sims, errors } = await namedSims(run, input.simRowIds, "SimTransfer:issueSimTransfer");
  refuseIf([found.error, ...errors, ...judgeIssuedSims(sims)]);
  const chosen = sims.map((s) => s!);
  const dest = found.destination!;
  const { token, digest } = newToken(TRANSFER_TOKEN_PREFIX);
  const expiresAt = transferExpiresAt(now, input.ttlHours);
  const transfer = await tx.simTransfer.create({
    data: {
      sourceOperatorId: viewerId,
      destinationOperatorId: dest.id,
      destinationEmail: input.destinationEmail.trim(),
      tokenHash: digest,
      createdAt: now,
      expiresAt,
      items: { create: chosen.map((s, position) => ({ simId: s.id, imsi: s.imsi, position })) },
    },
  });
  const moved = await applyStatusChanges(
    tx,
    chosen.map((s) => ({ id: s.id, operatorId: viewerId, imsi: s.imsi, from: "READY" as const, to: "TRANSFERRING" as const, reactivation: false, set: { pendingTransferId: transfer.id } })),
    "TRANSFER",
    now,
    // A SIM another transfer took first is not taken twice.
    { actor: run.actor, guard: { status: "READY", pendingTransferId: null } },
  );
  if (moved !== chosen.length) refuse(userError("SIM_NOT_READY", "A SIM of the batch changed meanwhile; try again.", ["input", "simIds"]));
  appendTransferChanged(tx, transfer, "PENDING", now, run.actor);
  const source = await tx.operator.findUniqueOrThrow({ where: { id: viewerId }, select: { operatorId: true } });
  await enqueueMail(tx, viewerId, simTransferTokenMail(dest.primary, source.operatorId, chosen.map((s) => s.imsi), token, expiresAt), now);
  return { id: transfer.id };
}

/** How the destination names the transfer it decides on: the mailed token, or its row ID (null: named nothing). */
export type TransferRef = { token: string } | { transferRowId: string | null };

/**
 * The pending incoming transfer a decision names, locked; or the refusal T3 and T10 call for.
 * `named` hears of a transfer found by token (the caller names it in the audit entry).
 */
async function decidedTransfer(run: TransferRun, ref: TransferRef, named: (rowId: string) => void) {
  const { tx, provider, viewerId, now } = run;
  if ("token" in ref) {
    if (!isTokenWellFormed(ref.token)) refuse(invalidToken());
    const found = await tx.simTransfer.findUnique({ where: { tokenHash: digestToken(ref.token) }, select: { id: true } });
    if (!found) refuse(invalidToken());
    await lockTransfer(tx, provider, found.id);
    const transfer = await tx.simTransfer.findUnique({ where: { id: found.id } });
    refuseIf([judgeTokenTransfer(transfer, viewerId, now)]);
    named(transfer!.id);
    return transfer!;
  }
  const id = ref.transferRowId;
  if (id) await lockTransfer(tx, provider, id);
  const transfer = id ? await tx.simTransfer.findUnique({ where: { id } }) : null;
  refuseIf([judgeIncomingTransfer(transfer, viewerId, now)]);
  return transfer!;
}

/** T4, T6–T8: every SIM of the batch moves to the destination at once, READY, settings reset. */
export async function acceptTransfer(run: TransferRun, ref: TransferRef, named: (rowId: string) => void = () => {}): Promise<{ id: string }> {
  const { tx, provider, viewerId, now } = run;
  const transfer = await decidedTransfer(run, ref, named);
  const me = await tx.operator.findUniqueOrThrow({ where: { id: viewerId }, select: { paymentMethodType: true } });
  refuseIf([judgePaymentMethod(me.paymentMethodType)]);
  const items = await tx.simTransferItem.findMany({ where: { transferId: transfer.id }, select: { simId: true, imsi: true } });
  const ids = items.map((i) => i.simId);
  await lockSims(tx, provider, ids);
  const sims = [];
  for (const part of chunked(ids)) {
    sims.push(...(await tx.sim.findMany({ where: { id: { in: part } }, select: { status: true, pendingTransferId: true, operatorId: true } })));
  }
  refuseIf([judgeBatchHeld(sims, transfer, ids.length)]);
  await lockGroupsOfSims(tx, provider, ids);
  const claimed = await tx.simTransfer.updateMany({
    where: { id: transfer.id, status: "PENDING" },
    data: { status: "ACCEPTED", acceptedAt: now, transferDate: transferDateOf(now), tokenHash: null },
  });
  if (claimed.count !== 1) refuse(noLongerPending());
  const { status: _ready, ...reset } = acceptedSimState(now);
  const set = { ...reset, operatorId: viewerId, listedUntil: LISTED_FOREVER };
  // V3: the destination's events of these SIMs start here; the source's keep their IMSI.
  await applyStatusChanges(
    tx,
    items.map((i) => ({ id: i.simId, operatorId: viewerId, imsi: i.imsi, from: "TRANSFERRING" as const, to: "READY" as const, reactivation: false, set })),
    "TRANSFER",
    now,
    { actor: run.actor },
  );
  appendTransferChanged(tx, transfer, "ACCEPTED", now, run.actor);
  // T7: tags are settings too.
  for (const part of chunked(ids)) await tx.simTag.deleteMany({ where: { simId: { in: part } } });
  return { id: transfer.id };
}

/** T10: the destination turns the whole batch down; its SIMs return to READY. */
export async function rejectTransfer(run: TransferRun, ref: TransferRef, named: (rowId: string) => void = () => {}): Promise<{ id: string }> {
  const transfer = await decidedTransfer(run, ref, named);
  if (!(await releaseTransfer(run.tx, transfer.id, "REJECTED", run.now, run.actor))) refuse(noLongerPending());
  return { id: transfer.id };
}

/** T5: the source ends the whole batch; its SIMs return to READY. */
export async function cancelTransfer(run: TransferRun, transferRowId: string | null): Promise<{ id: string }> {
  const { tx, provider, viewerId, now } = run;
  if (transferRowId) await lockTransfer(tx, provider, transferRowId);
  const transfer = transferRowId ? await tx.simTransfer.findUnique({ where: { id: transferRowId } }) : null;
  refuseIf([judgeCancel(transfer, viewerId)]);
  // T5 ends the whole batch, also the SIMs a scoped user cannot read (U4 narrows what it names, not this).
  if (!(await releaseTransfer(tenantTx(run.raw, viewerId), transfer!.id, "CANCELED", now, run.actor))) refuse(noLongerPending(["input", "transferId"]));
  return { id: transfer!.id };
}

/** T9: SIMs that are not READY go through a paid application, opened as a support ticket. */
export async function applyForTransfer(
  run: TransferRun,
  input: Destination & { simRowIds: readonly (string | null)[]; note?: string | null },
): Promise<{ ticket: { id: string; globalId: string } }> {
  const found = await findDestination(run, input);
  const { sims, errors } = await namedSims(run, input.simRowIds, "SimTransfer:applyForSimTransfer");
  refuseIf([found.error, ...errors, ...judgeApplicationSims(sims), judgeApplicationNote(input.note)]);
  const dest = found.destination!;
  const { subject, body } = applicationTicket(
    sims.map((s) => s!),
    { operatorId: dest.operatorId, email: input.destinationEmail },
    input.note,
  );
  const ticket = await openTicket(
    run.tx,
    { operatorId: run.viewerId, subject, category: "SIM_TRANSFER_APPLICATION", scope: "IN_SCOPE", body, autoReply: true },
    run.now,
  );
  return { ticket };
}

