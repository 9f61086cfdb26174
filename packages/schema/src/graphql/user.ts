// U1, U3, U8: the operator's users and the root user's mutations on them.
import { checkPassword, hashSecret } from "../domain/credentials.ts";
import type { Statement } from "../domain/permissions.ts";
import { MAX_USERS_PER_OPERATOR, USER_NAME_MAX } from "../domain/user-name.ts";
import type { UserError } from "../domain/user-error.ts";
import { audited } from "../audit/audited.ts";
import { createUser, deleteUser, setUserPermissions, updateUser } from "../users/users.ts";
import type { Context } from "../context.ts";
import { builder } from "./builder.ts";
import { OperatorRef } from "./operator.ts";
import { PermissionStatementInput, PermissionStatementRef } from "./permission.ts";
import { UserErrorRef } from "./user-error.ts";

export const UserRef = builder.prismaNode("User", {
  id: { field: "id" },
  // node(id:) answers null, not an error, for a missing or foreign ID (O4).
  nullable: true,
  description: "A user under the operator's root user (U1). What it may do is its permission statements (U3).",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique in the operator: 1–100 of A–Z a–z 0–9 . _ - (U1)." }),
    description: t.exposeString("description", { nullable: true, description: "Free text." }),
    hasPassword: t.boolean({
      description: "Whether the user can sign in with a password (U2).",
      select: { passwordHash: true },
      resolve: (u) => u.passwordHash !== null,
    }),
    permissions: t.field({
      type: [PermissionStatementRef],
      description: "Its statements, in order (explainAccess and refusals name them by index).",
      select: { permissions: true },
      resolve: (u) => JSON.parse(u.permissions) as Statement[],
    }),
    authKeys: t.relation("authKeys", { description: "Auth keys that sign in as this user, oldest first.", query: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was created." }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "When it last changed." }),
  }),
});

const UserConnection = builder.connectionObject({ type: UserRef, name: "UserConnection" }, { name: "UserEdge" });

builder.prismaObjectField(OperatorRef, "users", (t) =>
  t.relatedConnection(
    "users",
    { description: "U1: the operator's users, oldest first (root only, or a user allowed User:read).", cursor: "id", totalCount: true, query: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
    UserConnection,
  ),
);

const UserPayload = builder.objectRef<{ user?: { id: string } | null; userErrors: UserError[] }>("UserPayload").implement({
  description: "The user after the change; null when refused.",
  fields: (t) => ({
    user: t.prismaField({
      type: "User",
      nullable: true,
      description: "The user as it is now.",
      resolve: (query, p, _args, ctx) => (p.user ? ctx.db.user.findUnique({ ...query, where: { id: p.user.id } }) : null),
    }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const DeleteUserPayload = builder.objectRef<{ deletedUserId?: string | null; userErrors: UserError[] }>("DeleteUserPayload").implement({
  description: "The deleted user's ID; its tokens and auth keys stopped working with it (U8).",
  fields: (t) => ({
    deletedUserId: t.id({ nullable: true, description: "The user's ID.", resolve: (p) => p.deletedUserId ?? null }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const CreateUserInput = builder.inputType("CreateUserInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: `1 to ${USER_NAME_MAX} of A–Z a–z 0–9 . _ - , unique in the operator.`, extensions: { maxLength: 200 } }),
    description: t.string({ required: false, description: "Free text." }),
    password: t.string({ required: false, description: "Optional: a user without one signs in with auth keys only." }),
    permissions: t.field({ type: [PermissionStatementInput], required: false, defaultValue: [], description: "At most 50 statements (U3)." }),
  }),
});

const UpdateUserInput = builder.inputType("UpdateUserInput", {
  fields: (t) => ({
    userId: t.id({ required: true, description: "The user." }),
    description: t.string({ required: false, description: "New description; null clears it." }),
    password: t.string({ required: false, description: "A new password; an empty string removes it." }),
  }),
});

const SetUserPermissionsInput = builder.inputType("SetUserPermissionsInput", {
  fields: (t) => ({
    userId: t.id({ required: true, description: "The user." }),
    statements: t.field({ type: [PermissionStatementInput], required: true, description: "Every statement the user will have, at most 50 (U3)." }),
  }),
});

const DeleteUserInput = builder.inputType("DeleteUserInput", {
  fields: (t) => ({ userId: t.id({ required: true, description: "The user." }) }),
});

/** Checked and hashed before the transaction: the KDF is the slow part and needs no lock. */
async function hashedPassword(ctx: Context, password: string): Promise<{ hash: string | null; errors: UserError[] }> {
  const errors = checkPassword(password, ["input", "password"]);
  return { hash: errors.length === 0 ? await hashSecret(password, ctx.settings.kdf) : null, errors };
}

builder.mutationField("createUser", (t) =>
  t.field({
    type: UserPayload,
    description: `Root only (U1, U5): creates a user, at most ${MAX_USERS_PER_OPERATOR} per operator. It can do nothing but \`whoami\` until its statements allow more.`,
    args: { input: t.arg({ type: CreateUserInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const password = input.password == null ? { hash: null, errors: [] } : await hashedPassword(ctx, input.password);
      return audited(ctx, "createUser", (run) => createUser(ctx, run, input, password));
    },
  }),
);

builder.mutationField("updateUser", (t) =>
  t.field({
    type: UserPayload,
    description: "Root only (U5): changes a user's description or password. Users cannot be renamed.",
    args: { input: t.arg({ type: UpdateUserInput, required: true }) },
    resolve: async (_root, { input }, ctx) => {
      const password =
        input.password == null
          ? { change: "keep" as const, hash: null, errors: [] }
          : input.password === ""
            ? { change: "remove" as const, hash: null, errors: [] }
            : { change: "set" as const, ...(await hashedPassword(ctx, input.password)) };
      return audited(ctx, "updateUser", (run) => updateUser(ctx, run, input, password));
    },
  }),
);

builder.mutationField("setUserPermissions", (t) =>
  t.field({
    type: UserPayload,
    description: "Replaces every statement of the user (U3); takes effect on the user's next request.",
    args: { input: t.arg({ type: SetUserPermissionsInput, required: true }) },
    resolve: (_root, { input }, ctx) => audited(ctx, "setUserPermissions", (run) => setUserPermissions(ctx, run, input)),
  }),
);

builder.mutationField("deleteUser", (t) =>
  t.field({
    type: DeleteUserPayload,
    description: "Revokes the user's tokens and auth keys at once (U8).",
    args: { input: t.arg({ type: DeleteUserInput, required: true }) },
    resolve: (_root, { input }, ctx) => audited(ctx, "deleteUser", (run) => deleteUser(ctx, run, input)),
  }),
);
