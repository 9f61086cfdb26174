// E6: a public recovery request. It answers the same whether or not the operator exists.
import { checkEmailSyntax, normalizeEmail } from "../domain/email-address.ts";
import { isOperatorId } from "../domain/operator-id.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { accountRecoveryMail } from "../mail/templates.ts";
import { openTicket } from "../support/tickets.ts";
import { audited, refuseIf } from "./audited-mutation.ts";
import { builder } from "./builder.ts";
import { globalIdOf } from "./global-id.ts";
import { UserErrorRef } from "./user-error.ts";

const RequestAccountRecoveryInput = builder.inputType("RequestAccountRecoveryInput", {
  description: "Name the operator by its ID, its primary address, or both (then both must match).",
  fields: (t) => ({
    operatorId: t.string({ required: false, description: "OP followed by 10 digits." }),
    primaryEmail: t.string({ required: false, description: "The operator's primary address." }),
  }),
});

const RequestAccountRecoveryPayload = builder.objectRef<{ accepted?: boolean; userErrors: UserError[] }>("RequestAccountRecoveryPayload").implement({
  description: "Always accepted for well-formed input: the answer never tells whether the operator exists.",
  fields: (t) => ({
    accepted: t.boolean({ description: "True for every well-formed request.", resolve: (p) => p.accepted ?? false }),
    userErrors: t.field({ type: [UserErrorRef], description: "Only malformed input is refused.", resolve: (p) => p.userErrors }),
  }),
});

builder.mutationField("requestAccountRecovery", (t) =>
  t.field({
    type: RequestAccountRecoveryPayload,
    description:
      "Public (E6): always answers accepted, whether or not the operator exists. For a real operator it opens a " +
      "support case and mails the recovery address.",
    args: { input: t.arg({ type: RequestAccountRecoveryInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "requestAccountRecovery",
        async ({ tx, audit }) => {
          const { operatorId, primaryEmail } = input;
          refuseIf([
            operatorId == null && primaryEmail == null
              ? userError("INVALID_INPUT", "Give the operator ID or the primary address.", ["input"])
              : null,
            operatorId != null && !isOperatorId(operatorId)
              ? userError("INVALID_INPUT", "An operator ID is OP followed by 10 digits.", ["input", "operatorId"])
              : null,
            primaryEmail != null ? checkEmailSyntax(primaryEmail, ["input", "primaryEmail"]) : null,
          ]);
          const operator = await tx.operator.findFirst({
            where: {
              ...(operatorId != null ? { operatorId } : {}),
              ...(primaryEmail != null ? { emailAddresses: { some: { primaryOf: normalizeEmail(primaryEmail) } } } : {}),
            },
            select: { id: true, operatorId: true, emailAddresses: { where: { isRecovery: true }, select: { address: true } } },
          });
          if (!operator) return { accepted: true };
          audit.operatorId = operator.id;
          audit.actor = "anonymous (account recovery)";
          const { globalId: ticketId } = await openTicket(
            tx,
            {
              operatorId: operator.id,
              subject: "Account recovery request",
              category: "ACCOUNT_RECOVERY",
              scope: "IN_SCOPE",
              body: `A public account-recovery request named ${[operatorId, primaryEmail].filter(Boolean).join(" / ")}.`,
              // The primary may be exactly what was lost: the recovery address hears instead.
              autoReply: false,
            },
            ctx.clock.now(),
          );
          audit.targetIds.push(globalIdOf("Operator", operator.id), ticketId);
          const recovery = operator.emailAddresses[0];
          if (recovery) await enqueueMail(tx, operator.id, accountRecoveryMail(recovery.address, operator.operatorId, ticketId), ctx.clock.now());
          return { accepted: true };
        },
        { unscoped: true },
      ),
  }),
);
