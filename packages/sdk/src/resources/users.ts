// users: the root user's users (U1), their statements (U3) and the evaluator's answer (U7). Every
// mutation here is root only (U5): a user calling one gets PERMISSION_DENIED as a userError.
import {
  CreateUserDocument,
  DeleteUserDocument,
  ExplainAccessDocument,
  SetUserPermissionsDocument,
  UpdateUserDocument,
  UserAuthKeysDocument,
  UserByIdDocument,
  UsersDocument,
  type UpdateUserInput,
  type UserFieldsFragment,
} from "../generated/graphql.ts";
import type { SimgateCatalogAction } from "../generated/actions.ts";
import type { CallOptions } from "../call-options.ts";
import { connectionMethod, pageOf } from "../pagination.ts";
import { resultOf, type MutationResult } from "../result.ts";
import type { Runner } from "../runner.ts";
import type { AccessDecision, NewUser, PermissionStatementInput, User, UserAuthKey } from "../types.ts";

/**
 * The server validated every stored action against the same catalog the SDK's action types are
 * generated from; the generated types say `string` only because the schema does.
 */
export const asUser = (user: UserFieldsFragment): User => user as User;

export function usersApi(run: Runner, pageSize: number) {
  const list = connectionMethod<{}, User>(
    ({ first, after }, options) => run.query(UsersDocument, { first, after }, options, ({ viewer }) => {
      const page = pageOf(viewer!.users);
      return { ...page, nodes: page.nodes.map(asUser) };
    }),
    pageSize,
  );

  return {
    /** One page of the operator's users, oldest first (root, or a user allowed User:read). */
    list,
    /** Every user, page by page. */
    iterate: list.iterate,
    /** Users into an array, up to `limit`. */
    collect: list.collect,

    /** One user by ID; null when there is none (or it is another operator's). */
    get(userId: string, options?: CallOptions): Promise<User | null> {
      return run.query(UserByIdDocument, { id: userId }, options, ({ node }) => {
        if (node?.__typename !== "User") return null;
        const { __typename, ...user } = node;
        return asUser(user);
      });
    },

    /** The auth keys that sign in as the user (U9), oldest first; null for an unknown user. Root only. */
    authKeys(userId: string, options?: CallOptions): Promise<UserAuthKey[] | null> {
      return run.query(UserAuthKeysDocument, { id: userId }, options, ({ node }) => (node?.__typename === "User" ? node.authKeys : null));
    },

    /**
     * Creates a user (U1): a name unique in the operator, an optional password (without one it signs
     * in with auth keys only) and statements (none: it can do nothing but `whoami`). At most 100.
     */
    create(input: NewUser, options?: CallOptions): Promise<MutationResult<User>> {
      return run.mutate(CreateUserDocument, { input }, options, ({ createUser }) => resultOf(createUser, (p) => (p.user ? asUser(p.user) : null)));
    },

    /** Changes the description (null clears it) or the password ("" removes it). Users are not renamed. */
    update(input: UpdateUserInput, options?: CallOptions): Promise<MutationResult<User>> {
      return run.mutate(UpdateUserDocument, { input }, options, ({ updateUser }) => resultOf(updateUser, (p) => (p.user ? asUser(p.user) : null)));
    },

    /**
     * Replaces every statement of the user (U3), at most 50; applies from the user's next request
     * (U8). A malformed statement refuses the whole set: PERMISSION_STATEMENT_INVALID with its path.
     */
    setPermissions(userId: string, statements: PermissionStatementInput[], options?: CallOptions): Promise<MutationResult<User>> {
      return run.mutate(SetUserPermissionsDocument, { input: { userId, statements } }, options, ({ setUserPermissions }) =>
        resultOf(setUserPermissions, (p) => (p.user ? asUser(p.user) : null)),
      );
    },

    /** Deletes the user; its tokens and auth keys stop working at once (U8). Answers the deleted ID. */
    delete(userId: string, options?: CallOptions): Promise<MutationResult<string>> {
      return run.mutate(DeleteUserDocument, { input: { userId } }, options, ({ deleteUser }) => resultOf(deleteUser, (p) => p.deletedUserId));
    },

    /**
     * Would the user be allowed `action` on `resourceId` (a SIM's ID; left out: the operator)? The
     * same evaluator every request uses (U7). Root only. An unknown user or SIM throws
     * SimgateNotFoundError.
     */
    explainAccess(userId: string, action: SimgateCatalogAction, resourceId?: string | null, options?: CallOptions): Promise<AccessDecision> {
      return run.query(ExplainAccessDocument, { userId, action, resourceId: resourceId ?? null }, options, ({ explainAccess }) => explainAccess);
    },
  };
}

export type UsersApi = ReturnType<typeof usersApi>;
