// U1, U3, U8: the operator's users. Root only (U5). Passwords are hashed by the caller before the
// transaction (the KDF is the slow part); everything here runs inside audited().
import type { Context } from "../context.ts";
import type { MutationRun } from "../audit/audited.ts";
import type { Tx } from "../db/database.ts";
import { refuse, refuseIf } from "../db/refusal.ts";
import { isUniqueViolation } from "../db/unique-violation.ts";
import { parseStatements, type Statement } from "../domain/permissions.ts";
import { checkUserName, MAX_USERS_PER_OPERATOR } from "../domain/user-name.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { globalIdOf, rowIdOf } from "../ids/global-id.ts";
import { disableEndpointsOf } from "../webhooks/endpoints.ts";

export interface StatementInput {
  effect: string;
  actions: readonly string[];
  resources?: readonly string[] | null;
}

/** U3: the whole set, or PERMISSION_STATEMENT_INVALID at the first bad element's path under `field`. */
export function statementsOrError(input: readonly StatementInput[], field: (string | number)[]): { statements: Statement[] } | { error: UserError } {
  const parsed = parseStatements(input);
  return parsed.ok ? { statements: parsed.statements } : { error: userError("PERMISSION_STATEMENT_INVALID", parsed.message, [...field, ...parsed.path]) };
}

/** Holds the operator's row until the transaction ends, so concurrent creations count one after another. */
function lockOperatorRow(tx: Tx, operatorRowId: string, now: Date) {
  return tx.operator.update({ where: { id: operatorRowId }, data: { updatedAt: now } });
}

const notFound = () => userError("NOT_FOUND", "No such user.", ["input", "userId"]);

export async function createUser(
  ctx: Context,
  { tx, audit }: MutationRun,
  input: { name: string; description?: string | null; permissions?: readonly StatementInput[] | null },
  password: { hash: string | null; errors: UserError[] },
): Promise<{ user: { id: string } }> {
  const parsed = statementsOrError(input.permissions ?? [], ["input", "permissions"]);
  refuseIf([checkUserName(input.name, ["input", "name"]), ...password.errors, "error" in parsed ? parsed.error : null]);
  const operatorId = ctx.viewer!.id;
  const now = ctx.clock.now();
  await lockOperatorRow(tx, operatorId, now);
  if ((await tx.user.count()) >= MAX_USERS_PER_OPERATOR) {
    refuse(userError("USER_LIMIT_EXCEEDED", `An operator has at most ${MAX_USERS_PER_OPERATOR} users; delete one first.`));
  }
  const taken = () => userError("USER_NAME_TAKEN", "The operator already has a user of this name.", ["input", "name"]);
  try {
    const user = await tx.user.create({
      data: {
        operatorId,
        name: input.name,
        description: input.description ?? null,
        passwordHash: password.hash,
        permissions: JSON.stringify("statements" in parsed ? parsed.statements : []),
        createdAt: now,
      },
      select: { id: true },
    });
    audit.targetIds.push(globalIdOf("User", user.id));
    return { user };
  } catch (error) {
    // The unique index decides between two creations racing for one name.
    if (isUniqueViolation(error, "name")) refuse(taken());
    throw error;
  }
}

export async function updateUser(
  ctx: Context,
  { tx, audit }: MutationRun,
  input: { userId: string; description?: string | null },
  password: { change: "keep" | "remove" | "set"; hash: string | null; errors: UserError[] },
): Promise<{ user: { id: string } }> {
  const id = rowIdOf("User", input.userId);
  if (id === null) refuse(notFound());
  audit.targetIds.push(input.userId);
  refuseIf(password.errors);
  const data: { description?: string | null; passwordHash?: string | null; updatedAt: Date } = { updatedAt: ctx.clock.now() };
  if (input.description !== undefined) data.description = input.description;
  if (password.change !== "keep") data.passwordHash = password.hash;
  const changed = await tx.user.updateMany({ where: { id }, data });
  if (changed.count === 0) refuse(notFound());
  return { user: { id } };
}

export async function setUserPermissions(
  ctx: Context,
  { tx, audit }: MutationRun,
  input: { userId: string; statements: readonly StatementInput[] },
): Promise<{ user: { id: string } }> {
  const id = rowIdOf("User", input.userId);
  if (id === null) refuse(notFound());
  audit.targetIds.push(input.userId);
  const parsed = statementsOrError(input.statements, ["input", "statements"]);
  if ("error" in parsed) refuse(parsed.error);
  // Tokens read the statements on every request (auth/sessions.ts): the next request sees these (U8).
  const changed = await tx.user.updateMany({ where: { id }, data: { permissions: JSON.stringify(parsed.statements), updatedAt: ctx.clock.now() } });
  if (changed.count === 0) refuse(notFound());
  return { user: { id } };
}

export async function deleteUser(ctx: Context, { tx, audit }: MutationRun, input: { userId: string }): Promise<{ deletedUserId: string }> {
  const id = rowIdOf("User", input.userId);
  if (id === null) refuse(notFound());
  audit.targetIds.push(input.userId);
  // U8: its sessions and auth keys are deleted with it (foreign keys cascade), so its tokens stop
  // working with this commit.
  const removed = await tx.user.deleteMany({ where: { id } });
  if (removed.count === 0) refuse(notFound());
  // U8, V9: its endpoints stop delivering with the same commit (they stay, for the root to see). createdBy
  // keeps the deleted user's ID (no foreign key), so an endpoint enabled again still delivers nothing.
  await disableEndpointsOf(tx, id);
  return { deletedUserId: input.userId };
}
