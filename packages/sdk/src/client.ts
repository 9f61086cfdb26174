// createSimgateClient: one urql client (auth exchange → viewer guard → fetch with retries, each
// attempt sent by persisted-operation hash) and the friendly methods grouped by domain on top of it.
import { Client, fetchExchange, subscriptionExchange, type Exchange } from "@urql/core";
import { eventsApi, type EventsApi } from "./resources/events.ts";
import { webhooksApi, type WebhooksApi } from "./resources/webhooks.ts";
import { MIN_IDLE_TIMEOUT_MS, sseForwarder } from "./transport/sse.ts";
import { adminApi, type AdminApi } from "./resources/admin.ts";
import { auditApi, type AuditApi } from "./resources/audit.ts";
import { authApi, type AuthApi } from "./resources/auth.ts";
import { emailsApi, type EmailsApi } from "./resources/emails.ts";
import { groupsApi, type GroupsApi } from "./resources/groups.ts";
import { asUser, usersApi, type UsersApi } from "./resources/users.ts";
import { simsApi, type SimsApi } from "./resources/sims.ts";
import { supportApi, type SupportApi } from "./resources/support.ts";
import { transfersApi, type TransfersApi } from "./resources/transfers.ts";
import { checkTimeout, DEFAULT_TIMEOUT_MS } from "./call-options.ts";
import { createRunner } from "./runner.ts";
import { signInAuthExchange, tokenAuthExchange, type AuthKeyCredentials, type AuthKeyOptions, type UserCredentials } from "./transport/auth.ts";
import { WhoamiDocument } from "./generated/graphql.ts";
import type { CallOptions } from "./call-options.ts";
import type { Principal } from "./types.ts";
import { retryPolicy, type RetryOptions } from "./transport/backoff.ts";
import { createPersistedFetch } from "./transport/persisted-fetch.ts";
import { createRetryingFetch, type FetchFunction } from "./transport/retrying-fetch.ts";
import { viewerGuardExchange } from "./transport/viewer-guard-exchange.ts";

/**
 * Where the API is and who calls it: a bearer token, an auth key (the root's or a user's), a
 * user's operator ID + name + password, or nobody (public calls only).
 */
export type SimgateConnection =
  | { url: string; token?: string; authKey?: undefined; user?: undefined }
  | { url: string; authKey: AuthKeyCredentials; token?: undefined; user?: undefined }
  | { url: string; user: UserCredentials; token?: undefined; authKey?: undefined };

export interface SimgateClientOptions {
  /** The fetch to use (default: the global fetch). */
  fetch?: FetchFunction;
  /** Retries of dropped connections, timed-out attempts and HTTP 502/503/504 (P4); `false` turns them off. */
  retry?: RetryOptions | false;
  /**
   * How long one attempt may take before it is abandoned (default 30 s; `Infinity`: no limit).
   * Every method takes `{ timeoutMs, signal }` last to override it per call.
   */
  timeoutMs?: number;
  /** Default page size of list, iterate and collect (default 100). */
  pageSize?: number;
  /** Token lifetime and refresh margin for clients that sign in (auth key or user). */
  auth?: AuthKeyOptions;
  /**
   * Send the SDK's own operations by their registered SHA-256 instead of their text (default true;
   * needed when the server requires persisted operations). Falls back to the text once when the
   * server does not know the hash.
   */
  persistedOperations?: boolean;
}

export interface SimgateClient {
  auth: AuthApi;
  emails: EmailsApi;
  sims: SimsApi;
  transfers: TransfersApi;
  support: SupportApi;
  audit: AuditApi;
  admin: AdminApi;
  users: UsersApi;
  groups: GroupsApi;
  /** The event log (V1–V4): pages, and a live stream that reconnects and resumes by itself. */
  events: EventsApi;
  /** Webhook endpoints and their deliveries (V5–V9); verify deliveries with `verifyWebhook`. */
  webhooks: WebhooksApi;
  /** Who is calling (U1): the root user or a user, and the auth key used. Throws SimgateAuthenticationError without a valid token. */
  whoami(options?: CallOptions): Promise<Principal>;
  /** `users.explainAccess`: what the evaluator decides for a user, an action and a SIM (U7, root only). */
  explainAccess: UsersApi["explainAccess"];
  /** The underlying urql client, with the same auth and retries, for documents the SDK does not wrap. */
  urql: Client;
}

export const DEFAULT_PAGE_SIZE = 100;

export function createSimgateClient(connection: SimgateConnection, options: SimgateClientOptions = {}): SimgateClient {
  if (!connection.url) throw new TypeError("createSimgateClient: url is required");
  if ([connection.token, connection.authKey, connection.user].filter(Boolean).length > 1) {
    throw new TypeError("createSimgateClient: give one of token, authKey or user");
  }
  const pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError("createSimgateClient: pageSize must be a positive integer");

  const timeoutMs = checkTimeout("createSimgateClient: timeoutMs", options.timeoutMs) ?? DEFAULT_TIMEOUT_MS;

  // Looked up per call, so a fetch installed (or stubbed) later is used too.
  const baseFetch: FetchFunction = options.fetch ?? ((input, init) => globalThis.fetch(input, init));
  const exchanges: Exchange[] = [];
  if (connection.authKey) exchanges.push(signInAuthExchange({ authKey: connection.authKey }, options.auth));
  else if (connection.user) exchanges.push(signInAuthExchange({ user: connection.user }, options.auth));
  else if (connection.token) exchanges.push(tokenAuthExchange(connection.token));
  const persisted = options.persistedOperations !== false;
  // Subscriptions go out over SSE after the auth exchange, so they carry (and refresh) the same token.
  exchanges.push(
    viewerGuardExchange,
    subscriptionExchange({
      forwardSubscription: sseForwarder({ fetch: baseFetch, persisted, idleTimeoutMs: Math.max(timeoutMs, MIN_IDLE_TIMEOUT_MS) }),
    }),
    fetchExchange,
  );
  const policy = retryPolicy(options.retry);

  const urql = new Client({
    url: connection.url,
    exchanges,
    // Retries wrap the persisted-operation step, so each attempt is sent by hash first.
    fetch: createRetryingFetch({
      fetch: persisted ? createPersistedFetch({ fetch: baseFetch }) : baseFetch,
      policy,
      timeoutMs,
      probeFetch: baseFetch,
    }),
    preferGetMethod: false,
    requestPolicy: "network-only",
  });
  const run = createRunner(urql);
  const users = usersApi(run, pageSize);
  return {
    auth: authApi(run),
    emails: emailsApi(run),
    sims: simsApi(run, pageSize),
    transfers: transfersApi(run, pageSize),
    support: supportApi(run, pageSize),
    audit: auditApi(run, pageSize),
    admin: adminApi(run),
    users,
    groups: groupsApi(run, pageSize),
    events: eventsApi(run, urql, pageSize, policy),
    webhooks: webhooksApi(run, pageSize),
    whoami: (callOptions) =>
      run.query(WhoamiDocument, {}, callOptions, ({ whoami }) => ({ ...whoami!, user: whoami!.user ? asUser(whoami!.user) : null })),
    explainAccess: users.explainAccess,
    urql,
  };
}
