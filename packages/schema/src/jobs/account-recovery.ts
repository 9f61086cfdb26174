// E6, off the request path: requestAccountRecovery only records what was asked (the same write for
// every well-formed request, so its answer and its timing say nothing about the account). Here the
// scheduler looks the account up and, for a real one, opens the support case, audits and mails the
// recovery address. Each request is claimed by deleting its row in the transaction that does the
// work: with several servers, or a crash halfway, it is handled exactly once, and what an unknown
// address asked leaves no trace.
import type { Db } from "../db/database.ts";
import { normalizeEmail } from "../domain/email-address.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { accountRecoveryMail } from "../mail/templates.ts";
import { globalIdOf } from "../ids/global-id.ts";
import { openTicket } from "../support/tickets.ts";

export const RECOVERY_ACTOR = "anonymous (account recovery)";

/** Handles waiting recovery requests, oldest first; returns how many named a real operator. */
export async function processAccountRecoveries(db: Db, now: Date, batchSize = 200): Promise<number> {
  const waiting = await db.accountRecoveryRequest.findMany({ orderBy: { createdAt: "asc" }, take: batchSize });
  let opened = 0;
  for (const request of waiting) {
    const done = await db.$transaction(async (tx) => {
      const claimed = await tx.accountRecoveryRequest.deleteMany({ where: { id: request.id } });
      if (claimed.count !== 1) return false; // another server has it
      const { givenOperatorId, givenEmail } = request;
      if (givenOperatorId == null && givenEmail == null) return false;
      const operator = await tx.operator.findFirst({
        where: {
          ...(givenOperatorId != null ? { operatorId: givenOperatorId } : {}),
          ...(givenEmail != null ? { emailAddresses: { some: { primaryOf: normalizeEmail(givenEmail) } } } : {}),
        },
        select: { id: true, operatorId: true, emailAddresses: { where: { isRecovery: true }, select: { address: true } } },
      });
      if (!operator) return false;
      const { globalId: ticketId } = await openTicket(
        tx,
        {
          operatorId: operator.id,
          subject: "Account recovery request",
          category: "ACCOUNT_RECOVERY",
          scope: "IN_SCOPE",
          body: `A public account-recovery request named ${[givenOperatorId, givenEmail].filter(Boolean).join(" / ")}.`,
          // The primary may be exactly what was lost: the recovery address hears instead.
          autoReply: false,
        },
        now,
      );
      await tx.auditLogEntry.create({
        data: {
          operatorId: operator.id,
          // O6: when it was asked, not when the scheduler got to it.
          at: request.createdAt,
          action: "requestAccountRecovery",
          actor: RECOVERY_ACTOR,
          targetIds: JSON.stringify([globalIdOf("Operator", operator.id), ticketId]),
          result: "SUCCEEDED",
          errorCodes: "[]",
        },
      });
      const recovery = operator.emailAddresses[0];
      if (recovery) await enqueueMail(tx, operator.id, accountRecoveryMail(recovery.address, operator.operatorId, ticketId), now);
      return true;
    });
    if (done) opened += 1;
  }
  return opened;
}
