// Users (U1) made directly in the database, for tests of permissions that do not need the users API:
// a User row with its statements and a Session row tied to it, whose token signs in as that user.
import { issueToken } from "@simgate/schema/auth/sessions";
import type { PermissionStatement } from "@simgate/schema/context";
import { rowIdOf } from "@simgate/schema/ids/global-id";
import type { TestOperator } from "./accounts.ts";
import type { Harness } from "./harness.ts";

export interface TestUser {
  userId: string;
  name: string;
  token: string;
}

let counter = 0;

/** A user of `operator` with `statements`, signed in: its bearer token acts as `user:<name>`. */
export async function testUser(h: Harness, operator: TestOperator, statements: PermissionStatement[]): Promise<TestUser> {
  counter += 1;
  const name = `user-${process.pid}-${counter}`;
  const operatorId = rowIdOf("Operator", operator.id)!;
  const user = await h.app.db.user.create({ data: { operatorId, name, permissions: JSON.stringify(statements) } });
  const { token } = await h.app.db.$transaction((tx) =>
    issueToken(tx, { operatorId, actor: `user:${name}`, userId: user.id }, 3600, h.clock.now()),
  );
  return { userId: user.id, name, token };
}

/** The bearer token alone. */
export async function userToken(h: Harness, operator: TestOperator, statements: PermissionStatement[]): Promise<string> {
  return (await testUser(h, operator, statements)).token;
}

/** U8: replaces the user's statements in place (as setUserPermissions will). */
export async function setStatements(h: Harness, user: TestUser, statements: PermissionStatement[]): Promise<void> {
  await h.app.db.user.update({ where: { id: user.userId }, data: { permissions: JSON.stringify(statements) } });
}

/** G1: a group of the operator (made directly), and SIMs put into it (the database keeps simCount). */
export async function groupWithSims(h: Harness, operator: TestOperator, name: string, simIds: string[]): Promise<string> {
  const operatorId = rowIdOf("Operator", operator.id)!;
  const group = await h.app.db.simGroup.create({ data: { operatorId, name } });
  const ids = simIds.map((id) => rowIdOf("Sim", id)!);
  await h.app.db.sim.updateMany({ where: { id: { in: ids } }, data: { groupId: group.id } });
  return group.id;
}
