// Failures that are not domain refusals: the request did not reach the API, or the API refused the
// request itself. Domain refusals are data (MutationResult), never exceptions.

/** A GraphQL error as the server sent it. */
export interface GraphQLErrorInfo {
  message: string;
  path?: readonly (string | number)[] | undefined;
  extensions?: Record<string, unknown> | undefined;
}

export interface SimgateErrorDetails {
  /** The server's request ID (x-request-id header or extensions.requestId): quote it to support. */
  requestId?: string | undefined;
  /** extensions.code of the first GraphQL error, or a transport reason such as HTTP_503. */
  code?: string | undefined;
  /** The HTTP status, when a response arrived. */
  status?: number | undefined;
  /** Every GraphQL error of the response, unchanged. */
  errors?: readonly GraphQLErrorInfo[] | undefined;
  cause?: unknown;
}

/** Base class of every error the SDK throws. */
export class SimgateError extends Error {
  readonly requestId: string | undefined;
  readonly code: string | undefined;
  readonly status: number | undefined;
  readonly errors: readonly GraphQLErrorInfo[];

  constructor(message: string, details: SimgateErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.requestId = details.requestId;
    this.code = details.code;
    this.status = details.status;
    this.errors = details.errors ?? [];
  }
}

/** No usable response: the connection was refused or dropped (after the SDK's retries). */
export class SimgateNetworkError extends SimgateError {}

/** The token is missing, invalid, expired or revoked (extensions.code UNAUTHENTICATED), or an auth key was rejected. */
export class SimgateAuthenticationError extends SimgateError {}

/** The caller may not use this field, e.g. an admin field without the admin secret (FORBIDDEN). */
export class SimgateForbiddenError extends SimgateError {}

/** Too many requests (HTTP 429 or RATE_LIMITED); wait `retryAfterSeconds` when the server said. */
export class SimgateRateLimitError extends SimgateError {
  readonly retryAfterSeconds: number | undefined;
  constructor(message: string, details: SimgateErrorDetails & { retryAfterSeconds?: number | undefined } = {}) {
    super(message, details);
    this.retryAfterSeconds = details.retryAfterSeconds;
  }
}

/** The server failed: HTTP 5xx (after retries) or a masked INTERNAL_SERVER_ERROR. */
export class SimgateServerError extends SimgateError {}

/**
 * The server refused the idempotency key: IDEMPOTENCY_KEY_REUSED (same key, different request), or
 * IDEMPOTENCY_IN_PROGRESS still after every retry.
 */
export class SimgateIdempotencyError extends SimgateError {}

/** The API rejected the request itself (validation, malformed input): a bug on the calling side. */
export class SimgateRequestError extends SimgateError {}

const classByCode: Record<string, new (message: string, details: SimgateErrorDetails) => SimgateError> = {
  UNAUTHENTICATED: SimgateAuthenticationError,
  FORBIDDEN: SimgateForbiddenError,
  RATE_LIMITED: SimgateRateLimitError,
  INTERNAL_SERVER_ERROR: SimgateServerError,
  IDEMPOTENCY_KEY_REUSED: SimgateIdempotencyError,
  IDEMPOTENCY_IN_PROGRESS: SimgateIdempotencyError,
};

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

/** The typed error for a response's GraphQL errors: the first error with a known code decides. */
export function errorFromGraphQLErrors(errors: readonly GraphQLErrorInfo[], response?: Response, sentRequestId?: string): SimgateError {
  const known = errors.find((e) => {
    const code = codeOf(e);
    return code !== undefined && code in classByCode;
  });
  const first = known ?? errors[0];
  const code = first ? codeOf(first) : undefined;
  const requestId =
    (typeof first?.extensions?.requestId === "string" ? first.extensions.requestId : undefined) ??
    response?.headers.get("x-request-id") ??
    sentRequestId;
  const details = { requestId, code, status: response?.status, errors };
  const message = first?.message ?? "The API answered with an error.";
  if (code === "RATE_LIMITED") {
    const fromExtension = first?.extensions?.retryAfterSeconds;
    return new SimgateRateLimitError(message, {
      ...details,
      retryAfterSeconds: typeof fromExtension === "number" ? fromExtension : retryAfterSeconds(response?.headers.get("retry-after")),
    });
  }
  const ErrorClass = (code !== undefined ? classByCode[code] : undefined) ?? SimgateRequestError;
  return new ErrorClass(message, details);
}
