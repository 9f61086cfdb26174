// E6: a public recovery request. It answers the same, after the same work, whether or not the
// operator exists: the request is recorded here and handled by the scheduler (jobs/account-recovery.ts).
import { checkEmailSyntax } from "../domain/email-address.ts";
import { isOperatorId } from "../domain/operator-id.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { audited } from "../audit/audited.ts";
import { refuseIf } from "../db/refusal.ts";
import { builder } from "./builder.ts";
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
      "Public (E6): always answers accepted, whether or not the operator exists. For a real operator a " +
      "support case is opened and the recovery address mailed shortly after the answer.",
    args: { input: t.arg({ type: RequestAccountRecoveryInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "requestAccountRecovery",
        async ({ tx }) => {
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
          // The same single write whether or not the operator exists (jobs/account-recovery.ts does the rest).
          await tx.accountRecoveryRequest.create({
            data: { givenOperatorId: operatorId ?? null, givenEmail: primaryEmail?.trim() ?? null, createdAt: ctx.clock.now() },
          });
          return { accepted: true };
        },
        { unscoped: true },
      ),
  }),
);
