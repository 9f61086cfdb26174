// auth: sign-up, sign-in, auth keys and the signed-in operator (O2, O3).
import {
  AuthenticateDocument,
  CreateAuthKeyDocument,
  DeleteAuthKeyDocument,
  LogoutDocument,
  SignUpDocument,
  ViewerDocument,
  type AuthenticateInput,
  type CreateAuthKeyInput,
  type SignUpInput,
} from "../generated/graphql.ts";
import { doneOf, resultOf, type MutationResult } from "../result.ts";
import type { Runner } from "../runner.ts";
import type { NewAuthKey, Operator, Session } from "../types.ts";

export function authApi(run: Runner) {
  return {
    /** Creates an operator (O2); the email becomes its primary address. Works without a token. */
    async signUp(input: SignUpInput): Promise<MutationResult<Session>> {
      const { signUp } = await run.mutate(SignUpDocument, { input });
      return resultOf(signUp, (p) => (p.token && p.operator ? { token: p.token, expiresAt: null, operator: p.operator } : null));
    },

    /** Signs in with email + password or with an auth key and returns a bearer token (O3). */
    async authenticate(input: AuthenticateInput): Promise<MutationResult<Session>> {
      const { authenticate } = await run.mutate(AuthenticateDocument, { input });
      return resultOf(authenticate, (p) => (p.token && p.operator ? { token: p.token, expiresAt: p.expiresAt, operator: p.operator } : null));
    },

    /** Revokes the token this client is using. An auth-key client signs in again on its next call. */
    async logout(): Promise<MutationResult<null>> {
      const { logout } = await run.mutate(LogoutDocument, {});
      return doneOf(logout);
    },

    /**
     * Creates an auth key for machine use; its secret is in this answer only. At most 20. Pass the
     * root password unless this client's token comes from a password sign-in of the last few
     * minutes; with an auth-key token the password is always needed (else CREDENTIALS_INVALID).
     */
    async createAuthKey(input: CreateAuthKeyInput = {}): Promise<MutationResult<NewAuthKey>> {
      const { createAuthKey } = await run.mutate(CreateAuthKeyDocument, { input });
      return resultOf(createAuthKey, (p) => (p.authKeyId && p.authKey ? { authKeyId: p.authKeyId, authKey: p.authKey } : null));
    },

    /** Deletes an auth key; every token it signed in with stops working. */
    async deleteAuthKey(authKeyId: string): Promise<MutationResult<null>> {
      const { deleteAuthKey } = await run.mutate(DeleteAuthKeyDocument, { input: { authKeyId } });
      return doneOf(deleteAuthKey);
    },

    /** The signed-in operator. Throws SimgateAuthenticationError without a valid token. */
    async viewer(): Promise<Operator> {
      const { viewer } = await run.query(ViewerDocument, {});
      return viewer!;
    },
  };
}

export type AuthApi = ReturnType<typeof authApi>;
