// A fetch wrapper that carries the retry policy (P4), so urql's fetchExchange stays unchanged:
// dropped connections and HTTP 502/503/504 are retried with backoff, OPERATOR_BUSY (429) after its
// Retry-After; queries always, mutations
// only with an Idempotency-Key (the server then replays the first response instead of running the
// mutation again). The final failure becomes a typed SimgateError.
import { errorFromGraphQLErrors, retryAfterSeconds, SimgateNetworkError, SimgateRateLimitError, SimgateServerError, type GraphQLErrorInfo } from "../errors.ts";
import { backoffDelay, sleep, type RetryPolicy } from "./backoff.ts";
import { operationTypeOfRequest } from "./operation-type.ts";
import { randomId } from "./random-id.ts";

export type FetchFunction = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

export interface RetryingFetchOptions {
  fetch: FetchFunction;
  policy: RetryPolicy;
  /** Replaceable for tests. */
  random?: () => number;
}

const RETRIED_STATUSES = new Set([502, 503, 504]);

export const IDEMPOTENCY_KEY_HEADER = "idempotency-key";

function urlOf(input: string | URL | Request): string {
  return typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
}

function graphQLErrors(body: string): GraphQLErrorInfo[] {
  try {
    const parsed = JSON.parse(body) as { errors?: unknown };
    return Array.isArray(parsed.errors) ? (parsed.errors as GraphQLErrorInfo[]) : [];
  } catch {
    return [];
  }
}

function graphQLErrorCodes(body: string): string[] {
  return graphQLErrors(body).map((e) => e.extensions?.code).filter((c): c is string => typeof c === "string");
}

function isJson(response: Response): boolean {
  return /json/i.test(response.headers.get("content-type") ?? "");
}

export function createRetryingFetch({ fetch, policy, random = Math.random }: RetryingFetchOptions): FetchFunction {
  return async (input, init = {}) => {
    const headers = new Headers(init.headers);
    // One ID for every attempt of this call: the server logs them together, and errors without a
    // response still name it.
    if (!headers.has("x-request-id")) headers.set("x-request-id", randomId());
    const requestId = headers.get("x-request-id")!;
    const kind = operationTypeOfRequest(urlOf(input), init);
    const retryable = kind === "query" || (policy.mutations && headers.has(IDEMPOTENCY_KEY_HEADER));
    const request: RequestInit = { ...init, headers };

    for (let attempt = 1; ; attempt += 1) {
      const canRetry = retryable && attempt < policy.maxAttempts;
      const wait = async (reason: string, serverDelaySeconds?: number) => {
        const delayMs = serverDelaySeconds !== undefined ? serverDelaySeconds * 1000 : backoffDelay(attempt, policy, random);
        policy.onRetry?.({ attempt, delayMs, reason, requestId });
        await sleep(delayMs, init.signal);
      };

      let response: Response;
      let body: string;
      try {
        response = await fetch(input, request);
        // Read the whole body here: a connection dropped mid-body is then retried like any other.
        body = await response.text();
      } catch (error) {
        if (init.signal?.aborted) throw error;
        if (canRetry) {
          await wait("network");
          continue;
        }
        throw new SimgateNetworkError(`Could not reach the Simgate API: ${(error as Error)?.message ?? String(error)}`, {
          cause: error,
          requestId,
          code: "NETWORK",
        });
      }

      const responseId = response.headers.get("x-request-id") ?? requestId;
      const retryAfter = retryAfterSeconds(response.headers.get("retry-after"));
      if (RETRIED_STATUSES.has(response.status) && canRetry) {
        await wait(`HTTP ${response.status}`);
        continue;
      }
      // The first request with this key is still running: wait as the server asks, then ask again.
      if (response.status === 409 && canRetry && graphQLErrorCodes(body).includes("IDEMPOTENCY_IN_PROGRESS")) {
        await wait("IDEMPOTENCY_IN_PROGRESS", retryAfter);
        continue;
      }
      // The operator's other writes hold its share of the database: nothing ran, so wait as the
      // server asks and send it again (a mutation only with its Idempotency-Key, as above).
      if (response.status === 429 && canRetry && graphQLErrorCodes(body).includes("OPERATOR_BUSY")) {
        await wait("OPERATOR_BUSY", retryAfter);
        continue;
      }
      // Never retried here (sign-in included): the caller decides whether to wait retryAfterSeconds.
      if (response.status === 429) {
        // Simgate says why in RATE_LIMITED (message, retryAfterSeconds); a proxy's 429 has only the status.
        const said = errorFromGraphQLErrors(graphQLErrors(body), response, requestId);
        if (said instanceof SimgateRateLimitError) throw said;
        throw new SimgateRateLimitError("Rate limited by the Simgate API.", {
          requestId: responseId,
          status: 429,
          code: "RATE_LIMITED",
          retryAfterSeconds: retryAfter,
        });
      }
      if (response.status >= 500 && (RETRIED_STATUSES.has(response.status) || !isJson(response))) {
        throw new SimgateServerError(`The Simgate API failed with HTTP ${response.status}.`, {
          requestId: responseId,
          status: response.status,
          code: `HTTP_${response.status}`,
        });
      }
      return new Response(body, { status: response.status, statusText: response.statusText, headers: response.headers });
    }
  };
}
