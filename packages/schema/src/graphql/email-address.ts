// Section E: an operator's addresses, their roles, verification and removal.
import type { Context } from "../context.ts";
import type { Prisma } from "../db/generated/sqlite/client.ts";
import { isUniqueViolation } from "../db/unique-violation.ts";
import { verifySecret, newToken, digestToken } from "../domain/credentials.ts";
import {
  MAX_ADDRESSES,
  checkEmailSyntax,
  judgeRemoval,
  judgeRoleChange,
  normalizeEmail,
  rolesOf,
  type AddressRoles,
  type EmailRole,
} from "../domain/email-address.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { takeVerificationMail, withMailGivenBack } from "../mail/verification-budget.ts";
import { emailVerificationMail } from "../mail/templates.ts";
import { auditTargets, audited } from "../audit/audited.ts";
import { refuse, refuseIf } from "../db/refusal.ts";
import { builder } from "./builder.ts";
import { globalIdOf, rowIdOf } from "../ids/global-id.ts";
import { OperatorPayload, OperatorRef } from "./operator.ts";
import { lockOperator } from "./operator-lock.ts";
import { UserErrorRef } from "./user-error.ts";

export const EmailRoleEnum = builder.enumType("EmailRole", {
  description: "What an address is used for (E1–E8).",
  values: {
    PRIMARY: { description: "The root user's login and the default recipient (E1). Exactly one." },
    RECOVERY: { description: "Reached when the primary is lost (E6). At most one; replaceable, not removable." },
    BILLING: { description: "Also receives billing mail (E7). At most 5." },
    SUPPORT: { description: "Copied on support replies (E8). At most 5." },
  },
});

type EmailRow = { id: string; primaryOf: string | null; isRecovery: boolean; isBilling: boolean; isSupport: boolean; verifiedAt: Date | null };

export function rolesView(row: EmailRow): AddressRoles {
  return {
    id: row.id,
    verified: row.verifiedAt !== null,
    isPrimary: row.primaryOf !== null,
    isRecovery: row.isRecovery,
    isBilling: row.isBilling,
    isSupport: row.isSupport,
  };
}

export const EmailAddressRef = builder.prismaNode("EmailAddress", {
  id: { field: "id" },
  // node(id:) answers null, not an error, for a missing or foreign ID (O4).
  nullable: true,
  description: "An address added to the operator, with the roles it holds.",
  fields: (t) => ({
    address: t.exposeString("address", { description: "The address as it was added." }),
    verified: t.boolean({
      description: "Whether the verification token mailed to it was used (E5). Only verified addresses take roles.",
      select: { verifiedAt: true },
      resolve: (a) => a.verifiedAt !== null,
    }),
    verifiedAt: t.expose("verifiedAt", { type: "DateTime", nullable: true, description: "When it was verified." }),
    roles: t.field({
      type: [EmailRoleEnum],
      description: "The roles it holds; empty for an added address without a role.",
      select: { primaryOf: true, isRecovery: true, isBilling: true, isSupport: true, verifiedAt: true },
      resolve: (a) => rolesOf(rolesView(a)),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was added." }),
  }),
});

const roleWhere: Record<EmailRole, Prisma.EmailAddressWhereInput> = {
  PRIMARY: { primaryOf: { not: null } },
  RECOVERY: { isRecovery: true },
  BILLING: { isBilling: true },
  SUPPORT: { isSupport: true },
};

// primaryEmail, recoveryEmail and emailAddresses (without `role`) ask for the same rows (all of
// the operator's few addresses, oldest first), so they load in the query that loads the operator.
// Different queries on one relation would make Pothos load the others afterwards through the
// caller's tenant client, which finds nothing when the operator is not the caller's (the operator
// of a signUp or authenticate payload).
// The `select` only adds the role columns to the rows; the rows are full addresses at run time
// (Pothos merges in what the nested fields need), hence the casts below.
const everyAddress = { where: {}, orderBy: { createdAt: "asc" as const } };

builder.prismaObjectFields(OperatorRef, (t) => ({
  primaryEmail: t.field({
    type: EmailAddressRef,
    description: "The root user's address (E1).",
    select: (_args, _ctx, nested) => ({ emailAddresses: nested({ ...everyAddress, select: { primaryOf: true, isRecovery: true } }) }),
    resolve: (op) => op.emailAddresses.find((a) => a.primaryOf !== null) as never,
  }),
  recoveryEmail: t.field({
    type: EmailAddressRef,
    nullable: true,
    description: "The recovery address (E6), if set.",
    select: (_args, _ctx, nested) => ({ emailAddresses: nested({ ...everyAddress, select: { primaryOf: true, isRecovery: true } }) }),
    resolve: (op) => (op.emailAddresses.find((a) => a.isRecovery) ?? null) as never,
  }),
  emailAddresses: t.relation("emailAddresses", {
    description: "All added addresses, or those holding `role`; oldest first.",
    args: { role: t.arg({ type: EmailRoleEnum, required: false, description: "Only addresses holding this role." }) },
    query: (args) => (args.role ? { ...everyAddress, where: roleWhere[args.role] } : everyAddress),
  }),
}));

// ------------------------------------------------------------------ payloads and inputs

const EmailAddressPayload = builder.objectRef<{ emailAddress?: { id: string } | null; userErrors: UserError[] }>("EmailAddressPayload").implement({
  description: "The address after the change; null when refused.",
  fields: (t) => ({
    emailAddress: t.prismaField({
      type: "EmailAddress",
      nullable: true,
      description: "The address as it is now.",
      // Read unscoped: verification is public, and the ID came from this mutation's own work.
      resolve: (query, p, _args, ctx) =>
        p.emailAddress ? ctx.unscopedDb.emailAddress.findUnique({ ...query, where: { id: p.emailAddress.id } }) : null,
    }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const RemoveEmailAddressPayload = builder.objectRef<{ removedEmailAddressId?: string | null; userErrors: UserError[] }>("RemoveEmailAddressPayload").implement({
  description: "Which address was removed.",
  fields: (t) => ({
    removedEmailAddressId: t.id({ nullable: true, description: "Global ID of the removed address.", resolve: (p) => p.removedEmailAddressId ?? null }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const AddEmailAddressInput = builder.inputType("AddEmailAddressInput", {
  fields: (t) => ({ address: t.string({ required: true, description: "The address to add; a verification token is mailed to it." }) }),
});
const VerifyEmailAddressInput = builder.inputType("VerifyEmailAddressInput", {
  fields: (t) => ({ token: t.string({ required: true, description: "The token from the verification mail." }) }),
});
const RemoveEmailAddressInput = builder.inputType("RemoveEmailAddressInput", {
  fields: (t) => ({ emailAddressId: t.id({ required: true, description: "Global ID of the address." }) }),
});
const SetEmailRoleInput = builder.inputType("SetEmailRoleInput", {
  fields: (t) => ({
    role: t.field({ type: EmailRoleEnum, required: true, description: "The role to assign." }),
    emailAddressIds: t.idList({ required: true, description: "Every address that should hold the role afterwards." }),
    password: t.string({ required: false, description: "Required to change PRIMARY." }),
  }),
});

const ADDRESS_FIELD = ["input", "address"];

// ------------------------------------------------------------------ mutations

builder.mutationField("addEmailAddress", (t) =>
  t.field({
    type: EmailAddressPayload,
    description:
      "Adds an address and mails it a verification token (E5). It takes roles once verified. Verification mail is limited per " +
      "address and per operator and hour: past a limit the address is not added (TOO_MANY_ITEMS).",
    args: { input: t.arg({ type: AddEmailAddressInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const syntax = checkEmailSyntax(input.address, ADDRESS_FIELD);
      const operatorId = ctx.viewer!.id;
      // Counted before the transaction (the counters are shared, outside the tenant), given back below if nothing is sent.
      const mail = syntax
        ? null
        : await takeVerificationMail(ctx.unscopedDb, ctx.settings.verificationMail, { normalized: normalizeEmail(input.address), operatorId }, ADDRESS_FIELD, ctx.clock.now());
      return withMailGivenBack(mail, () =>
        audited(ctx, "addEmailAddress", async ({ tx, audit }) => {
          refuseIf([syntax]);
          const address = input.address.trim();
          const normalized = normalizeEmail(address);
          await lockOperator(tx, operatorId, ctx.clock.now());
          if (await tx.emailAddress.findFirst({ where: { normalized }, select: { id: true } })) {
            refuse(userError("EMAIL_ALREADY_ADDED", "This address is already on the account.", ADDRESS_FIELD));
          }
          if ((await tx.emailAddress.count()) >= MAX_ADDRESSES) {
            refuse(userError("EMAIL_LIMIT_EXCEEDED", `An account holds at most ${MAX_ADDRESSES - 1} addresses besides the primary (E9).`, ADDRESS_FIELD));
          }
          refuseIf([mail?.refusal]);
          const { token, digest } = newToken("sgv");
          const expiresAt = new Date(ctx.clock.now().getTime() + ctx.settings.verificationTtlHours * 3_600_000);
          const row = await tx.emailAddress.create({
            data: { operatorId, address, normalized, verificationTokenHash: digest, verificationExpiresAt: expiresAt },
          });
          await enqueueMail(tx, operatorId, emailVerificationMail(address, token, expiresAt), ctx.clock.now());
          audit.targetIds.push(globalIdOf("EmailAddress", row.id));
          return { emailAddress: row };
        }),
      );
    },
  }),
);

builder.mutationField("verifyEmailAddress", (t) =>
  t.field({
    type: EmailAddressPayload,
    description: "Public: the token from the verification mail is the credential. It works once and expires.",
    args: { input: t.arg({ type: VerifyEmailAddressInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "verifyEmailAddress",
        async ({ tx, audit }) => {
          const invalid = userError("VERIFICATION_TOKEN_INVALID", "The token is unknown, used or expired.", ["input", "token"]);
          if (input.token.length > 200) refuse(invalid);
          const digest = digestToken(input.token);
          const row = await tx.emailAddress.findUnique({
            where: { verificationTokenHash: digest },
            select: { id: true, operatorId: true, address: true },
          });
          if (!row) refuse(invalid);
          audit.operatorId = row.operatorId;
          audit.actor = row.address;
          audit.targetIds.push(globalIdOf("EmailAddress", row.id));
          // Single use under concurrency: only the request whose update matched the token wins.
          const now = ctx.clock.now();
          const used = await tx.emailAddress.updateMany({
            where: { id: row.id, verificationTokenHash: digest, verificationExpiresAt: { gt: now } },
            data: { verifiedAt: now, verificationTokenHash: null, verificationExpiresAt: null },
          });
          if (used.count !== 1) refuse(invalid);
          return { emailAddress: row };
        },
        { unscoped: true },
      ),
  }),
);

builder.mutationField("removeEmailAddress", (t) =>
  t.field({
    type: RemoveEmailAddressPayload,
    description: "Removes an added address and its roles. The primary (E2) and the recovery address (E6) cannot be removed.",
    args: { input: t.arg({ type: RemoveEmailAddressInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "removeEmailAddress", async ({ tx, audit }) => {
        const field = ["input", "emailAddressId"];
        auditTargets(audit, "EmailAddress", [input.emailAddressId]);
        const id = rowIdOf("EmailAddress", input.emailAddressId);
        const row = id ? await tx.emailAddress.findUnique({ where: { id } }) : null;
        if (!row) refuse(userError("NOT_FOUND", "No such email address.", field));
        refuseIf([judgeRemoval(rolesView(row), field)]);
        await tx.emailAddress.delete({ where: { id: row.id } });
        return { removedEmailAddressId: input.emailAddressId };
      }),
  }),
);

builder.mutationField("setEmailRole", (t) =>
  t.field({
    type: OperatorPayload,
    description:
      "Sets the addresses holding a role: PRIMARY and RECOVERY take exactly one, BILLING and SUPPORT 0 to 5. " +
      "Only verified addresses take roles (E5); the primary holds no other role (E3).",
    args: { input: t.arg({ type: SetEmailRoleInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      // The password is judged first and outside the transaction: the KDF holds neither a
      // connection nor the operator's lock, and a wrong password learns nothing else (E4).
      const passwordOk = input.role === "PRIMARY" && (await currentPasswordMatches(ctx, input.password));
      return audited(ctx, "setEmailRole", async ({ tx, raw, audit }) => {
        const operatorId = ctx.viewer!.id;
        audit.targetIds.push(globalIdOf("Operator", operatorId));
        auditTargets(audit, "EmailAddress", input.emailAddressIds);
        if (input.emailAddressIds.length > 50) {
          refuse(userError("TOO_MANY_ITEMS", "Name at most 50 addresses.", ["input", "emailAddressIds"]));
        }
        if (input.role === "PRIMARY" && !passwordOk) {
          refuse(userError("CREDENTIALS_INVALID", "Changing the primary address requires the current password.", ["input", "password"]));
        }
        const operator = await lockOperator(tx, operatorId, ctx.clock.now());
        const all = await tx.emailAddress.findMany();
        const byId = new Map(all.map((a) => [a.id, a]));
        const requested = input.emailAddressIds.map((gid) => {
          const id = rowIdOf("EmailAddress", gid);
          return id ? byId.get(id) : undefined;
        });
        const role = input.role;
        let primaryElsewhere = new Set<string>();
        if (role === "PRIMARY") {
          const candidates = requested.filter((a) => a && a.primaryOf === null).map((a) => a!);
          // Other operators' rows: the unscoped view of this same transaction.
          const taken = await raw.emailAddress.findMany({
            where: { primaryOf: { in: candidates.map((a) => a.normalized) }, operatorId: { not: operatorId } },
            select: { primaryOf: true },
          });
          const takenSet = new Set(taken.map((x) => x.primaryOf));
          primaryElsewhere = new Set(candidates.filter((a) => takenSet.has(a.normalized)).map((a) => a.id));
        }
        const current = all.find((a) => a.isRecovery);
        refuseIf(
          judgeRoleChange(role, requested.map((a) => a && rolesView(a)), {
            passwordOk,
            primaryElsewhere,
            currentRecovery: current ? rolesView(current) : null,
          }),
        );
        const chosen = requested.map((a) => a!.id);
        switch (role) {
          case "PRIMARY": {
            const next = requested[0]!;
            if (next.primaryOf !== null) break;
            // E5: the old primary stays on the operator as an added address.
            await tx.emailAddress.updateMany({ where: { primaryOf: { not: null } }, data: { primaryOf: null } });
            try {
              await tx.emailAddress.update({ where: { id: next.id }, data: { primaryOf: next.normalized } });
            } catch (error) {
              if (isUniqueViolation(error)) {
                refuse(userError("EMAIL_PRIMARY_OF_OTHER_OPERATOR", "This address is the primary address of another operator (E4).", ["input", "emailAddressIds", "0"]));
              }
              throw error;
            }
            break;
          }
          case "RECOVERY":
          case "BILLING":
          case "SUPPORT": {
            const flag = role === "RECOVERY" ? "isRecovery" : role === "BILLING" ? "isBilling" : "isSupport";
            await tx.emailAddress.updateMany({ where: { id: { notIn: chosen } }, data: { [flag]: false } });
            await tx.emailAddress.updateMany({ where: { id: { in: chosen } }, data: { [flag]: true } });
            break;
          }
        }
        return { operator };
      });
    },
  }),
);

/** E5: the viewer's current password (no password, or an absurdly long one, is simply wrong). */
async function currentPasswordMatches(ctx: Context, password: string | null | undefined): Promise<boolean> {
  if (password == null || password.length > 1024) return false;
  const operator = await ctx.db.operator.findUnique({ where: { id: ctx.viewer!.id }, select: { passwordHash: true } });
  return !!operator && (await verifySecret(operator.passwordHash, password, ctx.settings.kdf));
}
