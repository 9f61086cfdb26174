// O2, O3: sign-up, sign-in (password or auth key) and sign-out.
import { issueToken } from "../auth/sessions.ts";
import { isUniqueViolation } from "../db/unique-violation.ts";
import { checkPassword, hashSecret, newToken, verifySecret } from "../domain/credentials.ts";
import { addressAllowed } from "../domain/cidr.ts";
import { checkEmailSyntax, normalizeEmail } from "../domain/email-address.ts";
import { authKeyActor, signInAccountKey, USER_NAME_MAX, userActor } from "../domain/user-name.ts";
import { newOperatorId } from "../domain/operator-id.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { emailVerificationMail } from "../mail/templates.ts";
import { takeVerificationMail, withMailGivenBack } from "../mail/verification-budget.ts";
import { audited } from "../audit/audited.ts";
import { refuse, refuseIf } from "../db/refusal.ts";
import { builder } from "./builder.ts";
import { globalIdOf } from "../ids/global-id.ts";
import { UserErrorRef } from "./user-error.ts";
import type { Context } from "../context.ts";

const NAME_MAX = 100;

const SignUpInput = builder.inputType("SignUpInput", {
  fields: (t) => ({
    email: t.string({ required: true, description: "Becomes the primary address and the root user's login (E1)." }),
    password: t.string({ required: true, description: "8 to 128 characters." }),
    name: t.string({ required: true, description: `The account's name, 1 to ${NAME_MAX} characters.` }),
  }),
});

const AuthenticateInput = builder.inputType("AuthenticateInput", {
  description: "Either email + password (root user), operatorId + userName + password (a user, U2), or authKeyId + authKey.",
  fields: (t) => ({
    email: t.string({ required: false, description: "The primary address." }),
    operatorId: t.string({ required: false, description: "U2: the operator's ID (Operator.operatorId), with userName." }),
    userName: t.string({ required: false, description: "U2: the user's name in that operator." }),
    password: t.string({ required: false, description: "The root user's or the user's password." }),
    authKeyId: t.string({ required: false, description: "An auth key's ID." }),
    authKey: t.string({ required: false, description: "The auth key's secret." }),
    tokenTimeoutSeconds: t.int({ required: false, description: "Default 86400, at most 172800." }),
  }),
});

type Tokened = { operator?: { id: string } | null; token?: string | null; expiresAt?: Date | null; userErrors: UserError[] };

const SignUpPayload = builder.objectRef<Tokened>("SignUpPayload").implement({
  description: "The new operator and a token for it; nulls when refused.",
  fields: (t) => ({
    operator: t.prismaField({
      type: "Operator",
      nullable: true,
      description: "The new operator.",
      resolve: (query, p, _args, ctx) => (p.operator ? ctx.unscopedDb.operator.findUnique({ ...query, where: { id: p.operator.id } }) : null),
    }),
    token: t.string({ nullable: true, description: "A bearer token for the new operator.", resolve: (p) => p.token ?? null }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const AuthenticatePayload = builder.objectRef<Tokened>("AuthenticatePayload").implement({
  description: "A bearer token: send it as `Authorization: Bearer <token>`.",
  fields: (t) => ({
    token: t.string({ nullable: true, description: "The bearer token; shown once.", resolve: (p) => p.token ?? null }),
    expiresAt: t.field({ type: "DateTime", nullable: true, description: "When the token stops working.", resolve: (p) => p.expiresAt ?? null }),
    operator: t.prismaField({
      type: "Operator",
      nullable: true,
      description: "The operator signed in.",
      resolve: (query, p, _args, ctx) => (p.operator ? ctx.unscopedDb.operator.findUnique({ ...query, where: { id: p.operator.id } }) : null),
    }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const LogoutPayload = builder.objectRef<{ userErrors: UserError[] }>("LogoutPayload").implement({
  description: "The token used for the call no longer works.",
  fields: (t) => ({
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

builder.mutationField("signUp", (t) =>
  t.field({
    type: SignUpPayload,
    description:
      "Creates an operator (O2). The email becomes the primary address and is mailed a verification token; past the hourly " +
      "limit of verification mail to that address nothing is created (TOO_MANY_ITEMS).",
    args: { input: t.arg({ type: SignUpInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const name = input.name.trim();
      const errors = [
        checkEmailSyntax(input.email, ["input", "email"]),
        ...checkPassword(input.password, ["input", "password"]),
        name.length === 0 || name.length > NAME_MAX
          ? userError("INVALID_INPUT", `The name must be 1 to ${NAME_MAX} characters.`, ["input", "name"])
          : null,
      ].filter((e): e is UserError => e !== null);
      // Hash before the transaction: it is the slow part and needs no lock.
      const passwordHash = errors.length === 0 ? await hashSecret(input.password, ctx.settings.kdf) : "";
      // The verification mail counts against the address's hourly limit (given back if nothing is sent).
      const mail = errors.length === 0
        ? await takeVerificationMail(ctx.unscopedDb, ctx.settings.verificationMail, { normalized: normalizeEmail(input.email), operatorId: null }, ["input", "email"], ctx.clock.now())
        : null;
      return withMailGivenBack(mail, () => audited(
        ctx,
        "signUp",
        async ({ tx, audit }) => {
          refuseIf(errors);
          const address = input.email.trim();
          const normalized = normalizeEmail(address);
          const primaryTaken = () =>
            userError("EMAIL_PRIMARY_OF_OTHER_OPERATOR", "This address is already the primary address of an operator (E4).", ["input", "email"]);
          if (await tx.emailAddress.findUnique({ where: { primaryOf: normalized }, select: { id: true } })) refuse(primaryTaken());
          refuseIf([mail?.refusal]);
          const now = ctx.clock.now();
          const { token: verifyToken, digest } = newToken("sgv");
          const verifyExpires = new Date(now.getTime() + ctx.settings.verificationTtlHours * 3_600_000);
          let operator;
          try {
            operator = await tx.operator.create({
              data: {
                operatorId: await freeOperatorId(tx),
                name,
                passwordHash,
                emailAddresses: {
                  create: { address, normalized, primaryOf: normalized, verificationTokenHash: digest, verificationExpiresAt: verifyExpires },
                },
              },
            });
          } catch (error) {
            // Two sign-ups racing for one address: the unique primary index lets one through (E4).
            if (isUniqueViolation(error, "primaryOf")) refuse(primaryTaken());
            throw error;
          }
          audit.operatorId = operator.id;
          audit.actor = address;
          audit.targetIds.push(globalIdOf("Operator", operator.id));
          await enqueueMail(tx, operator.id, emailVerificationMail(address, verifyToken, verifyExpires), ctx.clock.now());
          const issued = await issueToken(tx, { operatorId: operator.id, actor: address }, ctx.settings.tokenTtlSeconds, now);
          return { operator, token: issued.token, expiresAt: issued.expiresAt };
        },
        { unscoped: true },
      ));
    },
  }),
);

async function freeOperatorId(tx: import("../db/database.ts").Tx): Promise<string> {
  for (;;) {
    const candidate = newOperatorId();
    if (!(await tx.operator.findUnique({ where: { operatorId: candidate }, select: { id: true } }))) return candidate;
  }
}

interface CredentialCheck {
  /** The account the credentials name, if any (audited even when the secret is wrong). */
  account: {
    operatorId: string;
    actor: string;
    /** Audit target: the key's ID, the user's global ID or the operator's. */
    target: string;
    userId: string | null;
    authKeyRowId: string | null;
    authKeyId: string | null;
    /** U9: the key's expiry and CIDR blocks. */
    keyExpiresAt: Date | null;
    keyCidrs: string[];
  } | null;
  valid: boolean;
}

type AuthenticateArgs = { email?: string | null; operatorId?: string | null; userName?: string | null; password?: string | null; authKeyId?: string | null; authKey?: string | null };

const NO_ACCOUNT: CredentialCheck = { account: null, valid: false };

/**
 * Runs the KDF outside any transaction; an unknown account costs as much as a wrong secret, and an
 * unknown operator, an unknown user and a user without a password take the same look-up and the
 * same decoy verification (U2: all alike).
 */
async function checkCredentials(ctx: Context, input: AuthenticateArgs): Promise<CredentialCheck> {
  const plain = { userId: null, authKeyRowId: null, authKeyId: null, keyExpiresAt: null, keyCidrs: [] };
  if (input.email != null && input.password != null) {
    if (input.email.length > 254 || input.password.length > 1024) return NO_ACCOUNT;
    const primary = await ctx.unscopedDb.emailAddress.findUnique({
      where: { primaryOf: normalizeEmail(input.email) },
      select: { address: true, operator: { select: { id: true, passwordHash: true } } },
    });
    const valid = await verifySecret(primary?.operator.passwordHash ?? null, input.password, ctx.settings.kdf);
    if (valid) await ctx.signInGuard?.passwordAccepted(signInAccountKey(input)!);
    const account = primary && { ...plain, operatorId: primary.operator.id, actor: primary.address, target: globalIdOf("Operator", primary.operator.id) };
    return { account, valid };
  }
  if (input.operatorId != null && input.userName != null && input.password != null) {
    if (input.operatorId.length > 100 || input.userName.length > USER_NAME_MAX || input.password.length > 1024) return NO_ACCOUNT;
    const user = await ctx.unscopedDb.user.findFirst({
      where: { name: input.userName, operator: { operatorId: input.operatorId } },
      select: { id: true, name: true, operatorId: true, passwordHash: true },
    });
    const valid = await verifySecret(user?.passwordHash ?? null, input.password, ctx.settings.kdf);
    if (valid) await ctx.signInGuard?.passwordAccepted(signInAccountKey(input)!);
    const account = user && { ...plain, operatorId: user.operatorId, actor: userActor(user.name), target: globalIdOf("User", user.id), userId: user.id };
    return { account, valid };
  }
  if (input.authKeyId != null && input.authKey != null) {
    if (input.authKeyId.length > 100 || input.authKey.length > 200) return NO_ACCOUNT;
    const key = await ctx.unscopedDb.authKey.findUnique({ where: { authKeyId: input.authKeyId }, include: { user: { select: { name: true } } } });
    const valid = await verifySecret(key?.secretHash ?? null, input.authKey, ctx.settings.kdf);
    const account = key && {
      operatorId: key.operatorId,
      // U2, U10: a user's key signs in as the user; the root user's keys are named by their ID.
      actor: key.user ? userActor(key.user.name) : authKeyActor(key.authKeyId),
      target: key.authKeyId,
      userId: key.userId,
      authKeyRowId: key.id,
      authKeyId: key.authKeyId,
      keyExpiresAt: key.expiresAt,
      keyCidrs: JSON.parse(key.allowedCidrs) as string[],
    };
    return { account, valid };
  }
  return NO_ACCOUNT;
}

builder.mutationField("authenticate", (t) =>
  t.field({
    type: AuthenticatePayload,
    description:
      "Signs in with email + password (the root user), operator ID + user name + password (a user, U2), or an auth key (O3, U9), " +
      "and returns a bearer token. A key with an expiry or CIDR blocks signs in only before it and from them.",
    args: { input: t.arg({ type: AuthenticateInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const byEmail = input.email != null;
      const byUser = input.operatorId != null || input.userName != null;
      const byPassword = byEmail || byUser || input.password != null;
      const byKey = input.authKeyId != null || input.authKey != null;
      const wellFormed = byPassword !== byKey && !(byEmail && byUser);
      const check = wellFormed ? await checkCredentials(ctx, input) : NO_ACCOUNT;
      return audited(
        ctx,
        "authenticate",
        async ({ tx, audit }) => {
          if (check.account) {
            audit.operatorId = check.account.operatorId;
            audit.actor = check.account.actor;
            audit.targetIds.push(check.account.target);
          }
          if (!wellFormed) {
            refuse(userError("INVALID_INPUT", "Give either email and password, operatorId, userName and password, or authKeyId and authKey.", ["input"]));
          }
          const ttl = input.tokenTimeoutSeconds ?? ctx.settings.tokenTtlSeconds;
          if (ttl < 1 || ttl > ctx.settings.tokenMaxTtlSeconds) {
            refuse(userError("INVALID_INPUT", `tokenTimeoutSeconds must be 1 to ${ctx.settings.tokenMaxTtlSeconds}.`, ["input", "tokenTimeoutSeconds"]));
          }
          const invalid = (): never => refuse(userError("CREDENTIALS_INVALID", "The credentials do not match an account.", ["input"]));
          const account = check.valid && check.account ? check.account : invalid();
          const now = ctx.clock.now();
          if (account.authKeyRowId) {
            // U9: an expired key, or one used from outside its blocks, is no credential.
            if (account.keyExpiresAt !== null && account.keyExpiresAt <= now) invalid();
            if (!addressAllowed(account.keyCidrs, ctx.clientIp ?? "")) invalid();
            // The key may have been deleted since the check: then the update finds nothing and refuses.
            const touched = await tx.authKey.updateMany({ where: { id: account.authKeyRowId }, data: { lastUsedAt: now } });
            if (touched.count !== 1) invalid();
          } else if (account.userId) {
            // Deleted since the check: its tokens would be gone with it (U8), so none is issued.
            if (!(await tx.user.findUnique({ where: { id: account.userId }, select: { id: true } }))) invalid();
          }
          const issued = await issueToken(
            tx,
            { operatorId: account.operatorId, actor: account.actor, authKeyId: account.authKeyId, userId: account.userId },
            ttl,
            now,
            account.keyExpiresAt,
          );
          return { ...issued, operator: { id: account.operatorId } };
        },
        { unscoped: true },
      );
    },
  }),
);

builder.mutationField("logout", (t) =>
  t.field({
    type: LogoutPayload,
    description: "Revokes the token used for this call.",
    resolve: (_root, _args, ctx) =>
      audited(ctx, "logout", async ({ tx }) => {
        await tx.session.update({ where: { id: ctx.viewer!.sessionId }, data: { revokedAt: ctx.clock.now() } });
        return {};
      }),
  }),
);
