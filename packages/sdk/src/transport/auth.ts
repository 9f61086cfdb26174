// Authentication through urql's auth exchange. A static token is sent as is. An auth key, or a
// user's operator ID + name + password (U2), signs in lazily, keeps the token, refreshes it shortly before it expires and once when the API answers
// UNAUTHENTICATED; the auth exchange queues operations behind one in-flight refresh, so concurrent
// calls never start two.
import { authExchange, type AuthConfig, type AuthUtilities } from "@urql/exchange-auth";
import type { CombinedError, Exchange, Operation } from "@urql/core";
import { CALL_CONTEXT, type CallContext } from "../call-options.ts";
import { SimgateAuthenticationError, type ResponseInfo } from "../errors.ts";
import { AuthenticateDocument } from "../generated/graphql.ts";
import { IDEMPOTENCY_KEY_HEADER } from "./retrying-fetch.ts";
import { randomId } from "./random-id.ts";
import { toSimgateError } from "./to-simgate-error.ts";

export interface AuthKeyCredentials {
  /** The auth key's ID (createAuthKey's authKeyId). */
  id: string;
  /** The auth key's secret (createAuthKey's authKey, shown once). */
  secret: string;
}

/** A user of an operator (U2): what `authenticate` takes as operatorId + userName + password. */
export interface UserCredentials {
  /** The operator's ID (Operator.operatorId, whoami's operatorId). */
  operatorId: string;
  /** The user's name in that operator. */
  name: string;
  password: string;
}

export interface AuthKeyOptions {
  /** Lifetime the SDK asks for each token (server default 24 h, at most 48 h). */
  tokenTimeoutSeconds?: number;
  /** Refresh this long before the token expires (default 60 s; at most a quarter of its lifetime). */
  refreshMarginSeconds?: number;
  /** Milliseconds since the epoch; replaceable for tests. */
  now?: () => number;
}

const isUnauthenticated = (error: CombinedError) => error.graphQLErrors.some((e) => e.extensions?.code === "UNAUTHENTICATED");

const bearer = (utils: AuthUtilities, token: string): AuthConfig["addAuthToOperation"] => (operation) =>
  utils.appendHeaders(operation, { authorization: `Bearer ${token}` });

/** Sends one fixed token; an UNAUTHENTICATED answer is the caller's to handle. */
export function tokenAuthExchange(token: string): Exchange {
  return authExchange(async (utils) => ({
    addAuthToOperation: bearer(utils, token),
    didAuthError: () => false,
    refreshAuth: async () => {},
  }));
}

/** The bearer token an operation was sent with, if any. */
function tokenSentWith(operation: Operation): string | null {
  const options = typeof operation.context.fetchOptions === "function" ? operation.context.fetchOptions() : operation.context.fetchOptions;
  const header = (options?.headers as Record<string, string> | undefined)?.authorization;
  return header?.startsWith("Bearer ") ? header.slice(7) : null;
}

/** What the client signs in with: an auth key (the root's or a user's, U9) or a user's password (U2). */
export type SignInCredentials = { authKey: AuthKeyCredentials } | { user: UserCredentials };

function signInInput(credentials: SignInCredentials) {
  return "authKey" in credentials
    ? { authKeyId: credentials.authKey.id, authKey: credentials.authKey.secret }
    : { operatorId: credentials.user.operatorId, userName: credentials.user.name, password: credentials.user.password };
}

/** Signs in with an auth key and keeps a fresh token. */
export function authKeyAuthExchange(key: AuthKeyCredentials, options: AuthKeyOptions = {}): Exchange {
  return signInAuthExchange({ authKey: key }, options);
}

/**
 * Signs in with an auth key or a user's password and keeps a fresh token: the same lazy sign-in,
 * refresh before expiry and one refresh on UNAUTHENTICATED for both. A refused sign-in (wrong
 * credentials, a deleted user or key) throws SimgateAuthenticationError with the refusal's code.
 */
export function signInAuthExchange(credentials: SignInCredentials, options: AuthKeyOptions = {}): Exchange {
  const what = "authKey" in credentials ? "auth key" : "user sign-in";
  const now = options.now ?? Date.now;
  const marginMs = (options.refreshMarginSeconds ?? 60) * 1000;
  let token: string | null = null;
  let refreshAtMs = 0;
  // The token of the last operation that came back UNAUTHENTICATED: when a refresh has replaced
  // it meanwhile, replaying the operation with the current token is enough.
  let rejectedToken: string | null = null;

  async function signIn(utils: AuthUtilities): Promise<void> {
    const startedMs = now();
    const requestId = randomId();
    let lastResponse: ResponseInfo | undefined;
    const call: CallContext = { onResponse: (response) => (lastResponse = response) };
    const result = await utils.mutate(
      AuthenticateDocument,
      { input: { ...signInInput(credentials), tokenTimeoutSeconds: options.tokenTimeoutSeconds ?? null } },
      { fetchOptions: { headers: { [IDEMPOTENCY_KEY_HEADER]: randomId(), "x-request-id": requestId }, [CALL_CONTEXT]: call } as RequestInit },
    );
    if (result.error) throw toSimgateError(result.error, requestId, lastResponse);
    const payload = result.data?.authenticate;
    if (!payload?.token || !payload.expiresAt) {
      const codes = payload?.userErrors.map((e) => e.code).join(", ") || "no token";
      throw new SimgateAuthenticationError(`The ${what} was refused (${codes}).`, {
        code: payload?.userErrors[0]?.code ?? "UNAUTHENTICATED",
        requestId: lastResponse?.requestId ?? requestId,
        status: lastResponse?.status,
      });
    }
    // Measure the lifetime on the local clock from when we asked, so clock skew cannot make a
    // token look fresher than it is.
    const lifetimeMs = Math.max(0, Date.parse(payload.expiresAt) - startedMs);
    const effectiveMs = options.tokenTimeoutSeconds !== undefined ? Math.min(lifetimeMs, options.tokenTimeoutSeconds * 1000) : lifetimeMs;
    refreshAtMs = startedMs + effectiveMs - Math.min(marginMs, effectiveMs / 4);
    token = payload.token;
  }

  return authExchange(async (utils) => ({
    addAuthToOperation: (operation) => (token ? bearer(utils, token)(operation) : operation),
    willAuthError: () => token === null || now() >= refreshAtMs,
    didAuthError(error, operation) {
      if (!isUnauthenticated(error)) return false;
      rejectedToken = tokenSentWith(operation);
      return true;
    },
    async refreshAuth() {
      const stale = rejectedToken !== null && token !== null && rejectedToken !== token;
      rejectedToken = null;
      if (stale) return;
      token = null;
      await signIn(utils);
    },
  }));
}
