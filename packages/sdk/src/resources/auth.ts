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
import type { CallOptions } from "../call-options.ts";
import type { NewAuthKey, Operator, Session } from "../types.ts";

export function authApi(run: Runner) {
  return {
    /** Creates an operator (O2); the email becomes its primary address. Works without a token. */
    signUp(input: SignUpInput, options?: CallOptions): Promise<MutationResult<Session>> {
      return run.mutate(SignUpDocument, { input }, options, ({ signUp }) => resultOf(signUp, (p) => (p.token && p.operator ? { token: p.token, expiresAt: null, operator: p.operator } : null)));
    },

    /** Signs in with email + password or with an auth key and returns a bearer token (O3). */
    authenticate(input: AuthenticateInput, options?: CallOptions): Promise<MutationResult<Session>> {
      return run.mutate(AuthenticateDocument, { input }, options, ({ authenticate }) => resultOf(authenticate, (p) => (p.token && p.operator ? { token: p.token, expiresAt: p.expiresAt, operator: p.operator } : null)));
    },

    /** Revokes the token this client is using. An auth-key client signs in again on its next call. */
    logout(options?: CallOptions): Promise<MutationResult<null>> {
      return run.mutate(LogoutDocument, {}, options, ({ logout }) => doneOf(logout));
    },

    /**
     * Creates an auth key for machine use; its secret is in this answer only. At most 20. Pass the
     * root password unless this client's token comes from a password sign-in of the last few
     * minutes; with an auth-key token the password is always needed (else CREDENTIALS_INVALID).
     */
    createAuthKey(input: CreateAuthKeyInput = {}, options?: CallOptions): Promise<MutationResult<NewAuthKey>> {
      return run.mutate(CreateAuthKeyDocument, { input }, options, ({ createAuthKey }) => resultOf(createAuthKey, (p) => (p.authKeyId && p.authKey ? { authKeyId: p.authKeyId, authKey: p.authKey } : null)));
    },

    /** Deletes an auth key; every token it signed in with stops working. */
    deleteAuthKey(authKeyId: string, options?: CallOptions): Promise<MutationResult<null>> {
      return run.mutate(DeleteAuthKeyDocument, { input: { authKeyId } }, options, ({ deleteAuthKey }) => doneOf(deleteAuthKey));
    },

    /** The signed-in operator. Throws SimgateAuthenticationError without a valid token. */
    viewer(options?: CallOptions): Promise<Operator> {
      return run.query(ViewerDocument, {}, options, ({ viewer }) => viewer!);
    },
  };
}

export type AuthApi = ReturnType<typeof authApi>;
