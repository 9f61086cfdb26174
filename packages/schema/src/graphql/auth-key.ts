// O3: auth keys, the machine credentials an operator creates for its integrations.
import { randomBytes } from "node:crypto";
import { AUTH_KEY_ID, hashSecret, isRecentPasswordSignIn, verifySecret } from "../domain/credentials.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { audited } from "../audit/audited.ts";
import { refuse, refuseIf } from "../db/refusal.ts";
import { parseCidrs } from "../domain/cidr.ts";
import { rowIdOf } from "../ids/global-id.ts";
import { builder } from "./builder.ts";
import { OperatorRef } from "./operator.ts";
import { lockOperator } from "./operator-lock.ts";
import { UserErrorRef } from "./user-error.ts";
import type { Context } from "../context.ts";

/** The most auth keys an operator holds at once. */
export const MAX_AUTH_KEYS = 20;

builder.prismaObject("AuthKey", {
  description: "A machine credential (O3). Its secret is shown once, at creation.",
  fields: (t) => ({
    authKeyId: t.exposeString("authKeyId", { description: "The key's ID, used with its secret in `authenticate`." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was created." }),
    lastUsedAt: t.expose("lastUsedAt", { type: "DateTime", nullable: true, description: "When it last signed in." }),
    user: t.relation("user", { nullable: true, description: "U9: the user the key signs in as; null for the root user's keys." }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", nullable: true, description: "U9: after this instant the key no longer signs in." }),
    allowedCidrs: t.stringList({
      description: "U9: client addresses the key (and the tokens it gives) may be used from; empty: any.",
      select: { allowedCidrs: true },
      resolve: (k) => JSON.parse(k.allowedCidrs) as string[],
    }),
  }),
});

builder.prismaObjectField(OperatorRef, "authKeys", (t) =>
  t.relation("authKeys", { description: "The operator's auth keys, oldest first.", query: { orderBy: { createdAt: "asc" } } }),
);

const CreateAuthKeyPayload = builder.objectRef<{ authKeyId?: string; authKey?: string; userErrors: UserError[] }>("CreateAuthKeyPayload").implement({
  description: "The new key's ID and secret.",
  fields: (t) => ({
    authKeyId: t.string({ nullable: true, description: "The key's ID.", resolve: (p) => p.authKeyId ?? null }),
    authKey: t.string({ nullable: true, description: "Shown once.", resolve: (p) => p.authKey ?? null }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const DeleteAuthKeyPayload = builder.objectRef<{ userErrors: UserError[] }>("DeleteAuthKeyPayload").implement({
  description: "The key and every token it signed in with stop working.",
  fields: (t) => ({
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const DeleteAuthKeyInput = builder.inputType("DeleteAuthKeyInput", {
  fields: (t) => ({ authKeyId: t.string({ required: true, description: "The key's ID." }) }),
});

const CreateAuthKeyInput = builder.inputType("CreateAuthKeyInput", {
  fields: (t) => ({
    userId: t.id({ required: false, description: "Root only: the user the key signs in as (U9)." }),
    expiresAt: t.field({ type: "DateTime", required: false, description: "U9: the key signs in until this instant (in the future); its tokens end no later." }),
    allowedCidrs: t.stringList({
      required: false,
      defaultValue: [],
      description: "IPv4/IPv6 CIDR blocks, e.g. 203.0.113.0/24; the key and its tokens work only from them (U9).",
    }),
    password: t.string({
      required: false,
      description: "The root user's password, re-entered. Needed unless the token comes from a password sign-in of the last few minutes (SIMGATE_RECENT_SIGN_IN_SECONDS).",
    }),
  }),
});

/** Whether the caller proved just now that it holds the root password (O3). */
async function rootPasswordConfirmed(ctx: Context, password: string | null | undefined): Promise<boolean> {
  const viewer = ctx.viewer!;
  if (password == null) return isRecentPasswordSignIn(viewer, ctx.clock.now(), ctx.settings.recentSignInSeconds);
  if (password.length > 1024) return false;
  const operator = await ctx.db.operator.findUnique({ where: { id: viewer.id }, select: { passwordHash: true } });
  return verifySecret(operator?.passwordHash ?? null, password, ctx.settings.kdf);
}

builder.mutationField("createAuthKey", (t) =>
  t.field({
    type: CreateAuthKeyPayload,
    description: `Root only (U5): creates an auth key (O3) of the root user, or of a user with \`input.userId\` (U9), optionally with an expiry and CIDR blocks; its secret is shown only in this answer. At most ${MAX_AUTH_KEYS} per operator. Needs the root password in \`input.password\`, or a token from a password sign-in of the last few minutes; a token from an auth key never suffices.`,
    args: { input: t.arg({ type: CreateAuthKeyInput, required: false }) },
    resolve: async (_root, { input }, ctx) => {
      // Outside the transaction: the KDF is the slow part.
      const confirmed = await rootPasswordConfirmed(ctx, input?.password);
      const authKeyId = `keyId-${randomBytes(12).toString("hex")}`;
      const authKey = `secret-${randomBytes(32).toString("base64url")}`;
      const secretHash = await hashSecret(authKey, ctx.settings.kdf);
      return audited(ctx, "createAuthKey", async ({ tx, audit }) => {
        if (!confirmed) {
          refuse(
            userError(
              "CREDENTIALS_INVALID",
              input?.password == null
                ? "Creating an auth key needs the root password in input.password, or a token from a password sign-in of the last few minutes."
                : "The password is not the root user's password.",
              ["input", "password"],
            ),
          );
        }
        await lockOperator(tx, ctx.viewer!.id, ctx.clock.now());
        if ((await tx.authKey.count()) >= MAX_AUTH_KEYS) {
          refuse(userError("TOO_MANY_ITEMS", `An operator holds at most ${MAX_AUTH_KEYS} auth keys; delete one first.`));
        }
        const now = ctx.clock.now();
        const cidrs = parseCidrs(input?.allowedCidrs ?? [], ["input", "allowedCidrs"]);
        refuseIf([
          "error" in cidrs ? cidrs.error : null,
          input?.expiresAt != null && input.expiresAt <= now ? userError("EXPIRY_IN_PAST", "expiresAt must be in the future.", ["input", "expiresAt"]) : null,
        ]);
        let userId: string | null = null;
        if (input?.userId != null) {
          const rowId = rowIdOf("User", input.userId);
          const user = rowId === null ? null : await tx.user.findUnique({ where: { id: rowId }, select: { id: true } });
          if (!user) refuse(userError("NOT_FOUND", "No such user.", ["input", "userId"]));
          userId = user.id;
          audit.targetIds.push(input.userId);
        }
        await tx.authKey.create({
          data: {
            operatorId: ctx.viewer!.id,
            authKeyId,
            secretHash,
            userId,
            expiresAt: input?.expiresAt ?? null,
            allowedCidrs: JSON.stringify("cidrs" in cidrs ? cidrs.cidrs : []),
            createdAt: now,
          },
        });
        audit.targetIds.push(authKeyId);
        return { authKeyId, authKey };
      });
    },
  }),
);

builder.mutationField("deleteAuthKey", (t) =>
  t.field({
    type: DeleteAuthKeyPayload,
    description: "Deletes an auth key and revokes the tokens it signed in with.",
    args: { input: t.arg({ type: DeleteAuthKeyInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "deleteAuthKey", async ({ tx, audit }) => {
        if (AUTH_KEY_ID.test(input.authKeyId)) audit.targetIds.push(input.authKeyId);
        const removed = await tx.authKey.deleteMany({ where: { authKeyId: input.authKeyId } });
        if (removed.count === 0) refuse(userError("NOT_FOUND", "No such auth key.", ["input", "authKeyId"]));
        await tx.session.updateMany({ where: { authKeyId: input.authKeyId, revokedAt: null }, data: { revokedAt: ctx.clock.now() } });
        return {};
      }),
  }),
);
