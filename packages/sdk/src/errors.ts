// Failures that are not domain refusals: the request did not reach the API, or the API refused the
// request itself. Domain refusals are data (MutationResult), never exceptions.
import { knownServerCode, type SimgateErrorCode } from "./error-codes.ts";

/** A GraphQL error as the server sent it. */
export interface GraphQLErrorInfo {
  message: string;
  path?: readonly (string | number)[] | undefined;
  extensions?: Record<string, unknown> | undefined;
}

export interface SimgateErrorDetails {
  /** The server's request ID (x-request-id header or extensions.requestId), else the one the SDK sent. */
  requestId?: string | undefined;
  /** Defaults to the class's own code (NETWORK_ERROR for SimgateNetworkError, …). */
  code?: SimgateErrorCode | undefined;
  /** The HTTP status, when a response arrived. */
  status?: number | undefined;
  /** Every GraphQL error of the response, unchanged. */
  errors?: readonly GraphQLErrorInfo[] | undefined;
  cause?: unknown;
}

/** What the SDK knows of the last response of a call: for errors raised after it arrived. */
export interface ResponseInfo {
  status: number;
  requestId: string;
}

/** Base class of every error the SDK throws. */
export class SimgateError extends Error {
  /** The code a class reports when none is given. */
  static readonly defaultCode: SimgateErrorCode = "UNKNOWN_ERROR";
  /** Quote it to support: the server logged the call (every attempt of it) under this ID. */
  readonly requestId: string | undefined;
  readonly code: SimgateErrorCode;
  /** The HTTP status of the response, when one arrived. */
  readonly status: number | undefined;
  readonly errors: readonly GraphQLErrorInfo[];

  constructor(message: string, details: SimgateErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.requestId = details.requestId;
    this.code = details.code ?? (new.target as typeof SimgateError).defaultCode;
    this.status = details.status;
    this.errors = details.errors ?? [];
  }
}

/** No usable response: the connection was refused or dropped (after the SDK's retries). */
export class SimgateNetworkError extends SimgateError {
  static override readonly defaultCode: SimgateErrorCode = "NETWORK_ERROR";
}

/**
 * No answer within `timeoutMs` on the last attempt (code TIMEOUT), or the call's own signal timed
 * out. For a mutation the outcome is unknown: it may have run.
 */
export class SimgateTimeoutError extends SimgateNetworkError {
  static override readonly defaultCode: SimgateErrorCode = "TIMEOUT";
}

/**
 * A browser refused the answer under its CORS rules: the server answers, but does not allow this
 * page's origin (SIMGATE_CORS_ORIGINS on the server). Not retried: it fails the same way every time.
 */
export class SimgateCorsError extends SimgateNetworkError {
  static override readonly defaultCode: SimgateErrorCode = "CORS";
}

/**
 * The call's `signal` was aborted (code ABORTED); `cause` is the signal's reason. Named
 * "AbortError" like fetch's own, so `error.name === "AbortError"` checks keep working. Never retried.
 */
export class SimgateAbortError extends SimgateError {
  static override readonly defaultCode: SimgateErrorCode = "ABORTED";
  constructor(message: string, details: SimgateErrorDetails = {}) {
    super(message, details);
    this.name = "AbortError";
  }
}

/** The token is missing, invalid, expired or revoked (extensions.code UNAUTHENTICATED), or an auth key was rejected. */
export class SimgateAuthenticationError extends SimgateError {
  static override readonly defaultCode: SimgateErrorCode = "UNAUTHENTICATED";
}

/** The caller may not use this field, e.g. an admin field without the admin secret (FORBIDDEN). */
export class SimgateForbiddenError extends SimgateError {
  static override readonly defaultCode: SimgateErrorCode = "FORBIDDEN";
}

/**
 * A user's statements do not allow this read (PERMISSION_DENIED, U3–U5), or it is the root user's
 * only (explainAccess). The message is the evaluator's explanation. Mutations refused for
 * permissions are data instead: a userError with code PERMISSION_DENIED.
 */
export class SimgatePermissionError extends SimgateError {
  static override readonly defaultCode: SimgateErrorCode = "PERMISSION_DENIED";
}

/** A query named something that does not exist (NOT_FOUND), e.g. explainAccess's user or SIM. */
export class SimgateNotFoundError extends SimgateError {
  static override readonly defaultCode: SimgateErrorCode = "NOT_FOUND";
}

/**
 * Too many requests (HTTP 429: RATE_LIMITED, or OPERATOR_BUSY when the operator's other writes hold
 * the line); wait `retryAfterSeconds` when the server said.
 */
export class SimgateRateLimitError extends SimgateError {
  static override readonly defaultCode: SimgateErrorCode = "RATE_LIMITED";
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, details: SimgateErrorDetails & { retryAfterSeconds?: number | undefined } = {}) {
    super(message, details);
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** The server failed: HTTP 5xx (after retries), a masked INTERNAL_SERVER_ERROR, or an answer without its data. */
export class SimgateServerError extends SimgateError {
  static override readonly defaultCode: SimgateErrorCode = "INTERNAL_SERVER_ERROR";
}

/**
 * The server refused the idempotency key: IDEMPOTENCY_KEY_REUSED (same key, different request),
 * IDEMPOTENCY_IN_PROGRESS still after every retry, or IDEMPOTENCY_RECORD_UNREADABLE (check whether
 * the mutation took effect before sending it again).
 */
export class SimgateIdempotencyError extends SimgateError {}

/** The API rejected the request itself (validation, malformed input, limits): a bug on the calling side. */
export class SimgateRequestError extends SimgateError {}

/**
 * The event log no longer holds what follows the cursor (EVENT_CURSOR_EXPIRED, V2): retention
 * pruned it. Start again without `after` (from the oldest kept event, or from now when subscribing).
 */
export class SimgateEventCursorExpiredError extends SimgateError {
  static override readonly defaultCode: SimgateErrorCode = "EVENT_CURSOR_EXPIRED";
}

/**
 * The operator already holds `SIMGATE_MAX_SUBSCRIPTIONS_PER_OPERATOR` open event streams (V4,
 * TOO_MANY_SUBSCRIPTIONS); close one first. `limit` is the server's limit, when it said.
 */
export class SimgateTooManySubscriptionsError extends SimgateError {
  static override readonly defaultCode: SimgateErrorCode = "TOO_MANY_SUBSCRIPTIONS";
  get limit(): number | undefined {
    const limit = this.errors[0]?.extensions?.limit;
    return typeof limit === "number" ? limit : undefined;
  }
}

/** verifyWebhook refused a delivery (WEBHOOK_VERIFICATION_FAILED): answer it with a 4xx and do not act on it. */
export class SimgateWebhookVerificationError extends SimgateError {
  static override readonly defaultCode: SimgateErrorCode = "WEBHOOK_VERIFICATION_FAILED";
}

const classByCode: Partial<Record<SimgateErrorCode, new (message: string, details: SimgateErrorDetails) => SimgateError>> = {
  UNAUTHENTICATED: SimgateAuthenticationError,
  FORBIDDEN: SimgateForbiddenError,
  PERMISSION_DENIED: SimgatePermissionError,
  NOT_FOUND: SimgateNotFoundError,
  RATE_LIMITED: SimgateRateLimitError,
  OPERATOR_BUSY: SimgateRateLimitError,
  INTERNAL_SERVER_ERROR: SimgateServerError,
  EVENT_CURSOR_EXPIRED: SimgateEventCursorExpiredError,
  TOO_MANY_SUBSCRIPTIONS: SimgateTooManySubscriptionsError,
  IDEMPOTENCY_KEY_REUSED: SimgateIdempotencyError,
  IDEMPOTENCY_IN_PROGRESS: SimgateIdempotencyError,
  IDEMPOTENCY_RECORD_UNREADABLE: SimgateIdempotencyError,
};

/** Fills in the request ID and status of an error raised after its response arrived (a malformed answer). */
export function withResponse<E extends SimgateError>(error: E, response: ResponseInfo | undefined, sentRequestId: string): E {
  const fields = error as { -readonly [K in "requestId" | "status"]: E[K] };
  fields.requestId ??= response?.requestId ?? sentRequestId;
  fields.status ??= response?.status;
  return error;
}

const codeOf = (error: GraphQLErrorInfo): string | undefined =>
  typeof error.extensions?.code === "string" ? error.extensions.code : undefined;

/** Parses a Retry-After header (seconds or an HTTP date) into whole seconds. */
export function retryAfterSeconds(header: string | null | undefined, now = Date.now()): number | undefined {
  if (!header) return undefined;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed);
  const at = Date.parse(trimmed);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000));
}

/**
 * The typed error for a response's GraphQL errors: the first error with a known code decides.
 * `response` is the HTTP response, or what is known of it when the Response object is not at hand.
 */
export function errorFromGraphQLErrors(
  errors: readonly GraphQLErrorInfo[],
  response?: Response | ResponseInfo,
  sentRequestId?: string,
): SimgateError {
  const known = errors.find((e) => {
    const code = codeOf(e);
    return code !== undefined && code in classByCode;
  });
  const first = known ?? errors[0];
  const code = knownServerCode(first ? codeOf(first) : undefined);
  const headers = response && "headers" in response ? response.headers : undefined;
  const requestId =
    (typeof first?.extensions?.requestId === "string" ? first.extensions.requestId : undefined) ??
    headers?.get("x-request-id") ??
    (response && !headers ? (response as ResponseInfo).requestId : undefined) ??
    sentRequestId;
  const details = { requestId, code, status: response?.status, errors };
  const message = first?.message ?? "The API answered with an error.";
  if (classByCode[code] === SimgateRateLimitError) {
    const fromExtension = first?.extensions?.retryAfterSeconds;
    return new SimgateRateLimitError(message, {
      ...details,
      retryAfterSeconds: typeof fromExtension === "number" ? fromExtension : retryAfterSeconds(headers?.get("retry-after")),
    });
  }
  const ErrorClass = classByCode[code] ?? SimgateRequestError;
  return new ErrorClass(message, details);
}
