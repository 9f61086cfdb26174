// Verification mail goes to addresses nobody has proven to own yet: without a limit, adding and
// removing a stranger's address over and over mails them without end. Each message counts against
// its recipient and against the operator that caused it, per hour, in counters shared by every
// server instance (db/window-counter.ts). Only mail actually sent stays counted: a request refused
// for any reason gives its points back.
import type { Db } from "../db/database.ts";
import { hitWindow, refundWindow, windowKey } from "../db/window-counter.ts";
import { userError, type UserError } from "../domain/user-error.ts";

const HOUR_MS = 3_600_000;

export interface VerificationMailLimits {
  /** Messages one address may receive per hour, from all operators together; 0: no limit. */
  perAddressPerHour: number;
  /** Messages one operator may cause per hour; 0: no limit. */
  perOperatorPerHour: number;
}

export interface VerificationMailTicket {
  /** Set when the message may not be sent now; the points are already given back. */
  refusal: UserError | null;
  /** Gives the points back when the message was not sent after all. */
  giveBack(): Promise<void>;
}

const untilText = (at: Date) => `${at.toISOString().slice(0, 16).replace("T", " ")} UTC`;

/**
 * Counts one verification message to `normalized` (the normalized address), caused by `operatorId`
 * (null for sign-up: the operator does not exist yet). Call outside the mutation's transaction.
 */
export async function takeVerificationMail(
  db: Db,
  limits: VerificationMailLimits,
  recipient: { normalized: string; operatorId: string | null },
  field: string[],
  now: Date,
): Promise<VerificationMailTicket> {
  const taken: string[] = [];
  const giveBack = async () => {
    for (const key of taken.splice(0)) await refundWindow(db, key, now);
  };
  const counters = [
    { limit: limits.perAddressPerHour, key: windowKey("verification-mail:address", recipient.normalized), whose: "this address" },
    ...(recipient.operatorId === null
      ? []
      : [{ limit: limits.perOperatorPerHour, key: windowKey("verification-mail:operator", recipient.operatorId), whose: "this account" }]),
  ];
  for (const { limit, key, whose } of counters) {
    if (limit === 0) continue;
    const count = await hitWindow(db, key, HOUR_MS, now);
    taken.push(key);
    if (count.points > limit) {
      await giveBack();
      const refusal = userError(
        "TOO_MANY_ITEMS",
        `At most ${limit} verification messages per hour for ${whose}; nothing was changed or sent. Try again after ${untilText(count.resetAt)}.`,
        field,
      );
      return { refusal, giveBack: async () => {} };
    }
  }
  return { refusal: null, giveBack };
}

/** Runs the mutation; when it refused (or failed), the message was not sent and its points go back. */
export async function withMailGivenBack<T extends { userErrors: UserError[] }>(ticket: VerificationMailTicket | null, run: () => Promise<T>): Promise<T> {
  let sent = false;
  try {
    const payload = await run();
    sent = payload.userErrors.length === 0;
    return payload;
  } finally {
    if (!sent) await ticket?.giveBack();
  }
}
