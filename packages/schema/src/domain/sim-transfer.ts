// T1–T10: what a SIM transfer allows, decided on plain values. The service (sims/transfer-service.ts)
// reads and locks the rows, asks here, and writes what was decided; "now" is always passed in.
import { checkEmailSyntax, normalizeEmail } from "./email-address.ts";
import { isOperatorId } from "./operator-id.ts";
import type { SimStatus } from "./sim-status.ts";
import { tokyoDate } from "./tokyo-time.ts";
import { userError, type UserError } from "./user-error.ts";

/** Mailed tokens start with this, so a token for something else is told apart at a glance. */
export const TRANSFER_TOKEN_PREFIX = "sgx";
/** No token we mail is longer; anything longer is not looked up. */
const TOKEN_MAX_LENGTH = 200;
/** T9: what an applicant may tell support. */
export const APPLICATION_NOTE_MAX = 2000;

export type TransferStatus = "PENDING" | "ACCEPTED" | "CANCELED" | "REJECTED" | "EXPIRED";

/** A transfer as the rules see it. */
export interface TransferState {
  sourceOperatorId: string;
  destinationOperatorId: string;
  status: TransferStatus;
  expiresAt: Date;
}

/** The operator a source named, as found: its row ID and its primary address (if any). */
export interface DestinationCandidate {
  id: string;
  primaryNormalized: string | null;
}

/**
 * T2: the destination must match one existing operator other than the source, by operator ID and
 * primary address. One answer for any mismatch (no hint which part was wrong); TRANSFER_TO_SELF
 * when the ID is the caller's own.
 */
export function judgeDestination(
  given: { operatorId: string; email: string },
  found: DestinationCandidate | null,
  sourceId: string,
): UserError | null {
  const invalid = userError("TRANSFER_DESTINATION_INVALID", "The destination operator ID and primary address do not match an operator.", ["input"]);
  if (!isOperatorId(given.operatorId)) return invalid;
  if (found?.id === sourceId) return userError("TRANSFER_TO_SELF", "SIMs cannot be transferred to their own operator.", ["input", "destinationOperatorId"]);
  if (!found || found.primaryNormalized === null || checkEmailSyntax(given.email, []) !== null || found.primaryNormalized !== normalizeEmail(given.email)) {
    return invalid;
  }
  return null;
}

/** Whether an operator ID is worth looking up at all (T2). */
export function isDestinationIdWellFormed(operatorId: string): boolean {
  return isOperatorId(operatorId);
}

/** A SIM named in a transfer or application; undefined where the input named nothing (NOT_FOUND elsewhere). */
type Named = { status: SimStatus } | undefined;

/** T1: only READY SIMs transfer by token; each other one refuses the batch at its input position. */
export function judgeIssuedSims(sims: readonly Named[]): UserError[] {
  return sims.flatMap((sim, i) =>
    sim && sim.status !== "READY"
      ? [userError("SIM_NOT_READY", `A ${sim.status} SIM can only be transferred by application to support (T1, T9).`, ["input", "simIds", i])]
      : [],
  );
}

/** T9: the application is for SIMs that are not READY, neither terminated nor already in a transfer. */
export function judgeApplicationSims(sims: readonly Named[]): UserError[] {
  return sims.flatMap((sim, i) => {
    const field = ["input", "simIds", i];
    if (!sim) return [];
    if (sim.status === "TERMINATED") return [userError("SIM_TERMINATED", "A terminated SIM cannot be transferred.", field)];
    if (sim.status === "TRANSFERRING") return [userError("SIM_TRANSFERRING", "The SIM is already in a transfer.", field)];
    if (sim.status === "READY") return [userError("INVALID_INPUT", "READY SIMs transfer free and at once with issueSimTransfer (T1).", field)];
    return [];
  });
}

/** T9: the applicant's note has a bound. */
export function judgeApplicationNote(note: string | null | undefined): UserError | null {
  return note != null && note.length > APPLICATION_NOTE_MAX
    ? userError("INVALID_INPUT", `The note is at most ${APPLICATION_NOTE_MAX} characters.`, ["input", "note"])
    : null;
}

/** A transfer or application names at least one SIM. */
export function judgeSimCount(count: number): UserError | null {
  return count === 0 ? userError("INVALID_INPUT", "Name at least one SIM.", ["input", "simIds"]) : null;
}

/** T10: when a transfer issued now lapses. */
export function transferExpiresAt(now: Date, ttlHours: number): Date {
  return new Date(now.getTime() + ttlHours * 3_600_000);
}

/** T10: a pending transfer is open until its expiry instant (exclusive). */
export function isTransferOpen(transfer: Pick<TransferState, "status" | "expiresAt">, now: Date): boolean {
  return transfer.status === "PENDING" && transfer.expiresAt > now;
}

/** T10: the scheduler ends a pending transfer once its time has come. */
export function isTransferDue(transfer: Pick<TransferState, "status" | "expiresAt">, now: Date): boolean {
  return transfer.status === "PENDING" && transfer.expiresAt <= now;
}

/** A decision names the transfer by exactly one of the mailed token and its ID. */
export function judgeDecisionInput(input: { token?: string | null; transferId?: string | null }): UserError | null {
  return (input.token == null) === (input.transferId == null) ? userError("INVALID_INPUT", "Give exactly one of token and transferId.", ["input"]) : null;
}

/** The one answer for every unusable token: malformed, unknown, used, expired or another operator's (no oracle). */
export function invalidToken(): UserError {
  return userError("TRANSFER_TOKEN_INVALID", "The token is not valid.", ["input", "token"]);
}

/** Whether a token has our shape and is worth a look-up (T3). */
export function isTokenWellFormed(token: string): boolean {
  return token.startsWith(`${TRANSFER_TOKEN_PREFIX}_`) && token.length <= TOKEN_MAX_LENGTH;
}

/** T3, T10: a token works once, for its destination, while the transfer is open. */
export function judgeTokenTransfer(transfer: TransferState | null, viewerId: string, now: Date): UserError | null {
  return !transfer || transfer.destinationOperatorId !== viewerId || !isTransferOpen(transfer, now) ? invalidToken() : null;
}

/**
 * T3, T10: by its ID, only the destination decides (to anyone else it does not exist, O4); it
 * must still be open, and the refusal says what it became (a lapsed one reads EXPIRED).
 */
export function judgeIncomingTransfer(transfer: TransferState | null, viewerId: string, now: Date): UserError | null {
  const field = ["input", "transferId"];
  if (!transfer || transfer.destinationOperatorId !== viewerId) return userError("NOT_FOUND", "No such incoming transfer.", field);
  if (!isTransferOpen(transfer, now)) return userError("TRANSFER_NOT_PENDING", `The transfer is ${transfer.status === "PENDING" ? "EXPIRED" : transfer.status}.`, field);
  return null;
}

/** T5: only the source cancels, while the transfer is pending. */
export function judgeCancel(transfer: TransferState | null, viewerId: string): UserError | null {
  const field = ["input", "transferId"];
  if (!transfer || transfer.sourceOperatorId !== viewerId) return userError("NOT_FOUND", "No such outgoing transfer.", field);
  if (transfer.status !== "PENDING") return userError("TRANSFER_NOT_PENDING", `The transfer is ${transfer.status}.`, field);
  return null;
}

/** Someone else ended the transfer between our read and our write. */
export function noLongerPending(field: string[] = ["input"]): UserError {
  return userError("TRANSFER_NOT_PENDING", "The transfer is no longer pending.", field);
}

/** T6: the destination needs a payment method to accept. */
export function judgePaymentMethod(paymentMethodType: string | null): UserError | null {
  return paymentMethodType ? null : userError("PAYMENT_METHOD_REQUIRED", "Register a payment method before accepting SIMs (T6).", ["input"]);
}

/**
 * T4: acceptance needs every SIM of the batch still TRANSFERRING in this transfer and still the
 * source's; one that left (a session, an expiry) fails it and the source must cancel.
 */
export function judgeBatchHeld(sims: readonly { status: SimStatus; pendingTransferId: string | null; operatorId: string | null }[], transfer: { id: string; sourceOperatorId: string }, batchSize: number): UserError | null {
  const held = sims.filter((s) => s.status === "TRANSFERRING" && s.pendingTransferId === transfer.id && s.operatorId === transfer.sourceOperatorId).length;
  return held === batchSize ? null : userError("TRANSFER_SIM_STATUS_CHANGED", "A SIM of the batch left TRANSFERRING (a session or an expiry); the source must cancel (T4).", ["input"]);
}

/** T8: the Asia/Tokyo date ownership moves: the source pays base fees up to the day before, the destination from it. */
export function transferDateOf(acceptedAt: Date): string {
  return tokyoDate(acceptedAt);
}

/**
 * T7: what an accepted SIM becomes at the destination: READY, settings not carried over (name,
 * expiry, protection back ON, session), owned from the transfer date. Tags are removed too.
 */
export function acceptedSimState(acceptedAt: Date) {
  return {
    status: "READY" as const,
    pendingTransferId: null,
    // G3: out of the source's groups; the destination sees none of them.
    groupId: null,
    name: "",
    nameKey: "",
    terminationProtected: true,
    expiresAt: null,
    expiryAction: null,
    expiryAppliedAt: null,
    sessionOnline: false,
    registeredAt: acceptedAt,
    ownedSince: transferDateOf(acceptedAt),
  };
}

/** T9: the support ticket an application opens. */
export function applicationTicket(
  sims: readonly { imsi: string; status: SimStatus }[],
  destination: { operatorId: string; email: string },
  note: string | null | undefined,
): { subject: string; body: string } {
  return {
    subject: `SIM transfer application: ${sims.length} SIM${sims.length === 1 ? "" : "s"} to ${destination.operatorId}`,
    body: [
      `Transfer of these SIMs to operator ${destination.operatorId} (${destination.email.trim()}):`,
      ...sims.map((s) => `  ${s.imsi} (${s.status})`),
      "",
      "A transfer fee applies to SIMs that are not READY (T9); support confirms the amount before going ahead.",
      ...(note ? ["", "Note from the applicant:", note] : []),
    ].join("\n"),
  };
}
