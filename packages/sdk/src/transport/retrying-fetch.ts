// A fetch wrapper that carries the retry policy (P4), so urql's fetchExchange stays unchanged:
// dropped connections, attempts that time out and HTTP 502/503/504 are retried with backoff,
// OPERATOR_BUSY (429: nothing ran) after its Retry-After;
// queries always, mutations only with an Idempotency-Key (the server then replays the first
// response, or answers IDEMPOTENCY_IN_PROGRESS while the first attempt still runs, instead of
// running the mutation again). The final failure becomes a typed SimgateError.
import { CALL_CONTEXT, DEFAULT_TIMEOUT_MS, timerDelay, type CallContext, type InitWithCall } from "../call-options.ts";
import {
  errorFromGraphQLErrors,
  retryAfterSeconds,
  SimgateAbortError,
  SimgateCorsError,
  SimgateNetworkError,
  SimgateRateLimitError,
  SimgateServerError,
  SimgateTimeoutError,
  type GraphQLErrorInfo,
} from "../errors.ts";
import { backoffDelay, sleep, type RetryPolicy } from "./backoff.ts";
import { corsMessage, isCorsRefusal } from "./cors.ts";
import { operationTypeOfRequest } from "./operation-type.ts";
import { randomId } from "./random-id.ts";
import type { FetchFunction } from "./fetch-function.ts";

export type { FetchFunction };

export interface RetryingFetchOptions {
  fetch: FetchFunction;
  policy: RetryPolicy;
  /** Per attempt, unless the call says otherwise (default 30 s). */
  timeoutMs?: number;
  /** The plain fetch, for the no-cors probe after a browser's TypeError (default: `fetch`). */
  probeFetch?: FetchFunction;
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

/** Settles like `promise`, or rejects with the signal's reason as soon as it aborts (for fetches that ignore signals). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  promise.catch(() => {});
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(resolve, reject).finally(() => signal.removeEventListener("abort", onAbort));
  });
}

export function createRetryingFetch({ fetch, policy, timeoutMs: defaultTimeoutMs = DEFAULT_TIMEOUT_MS, probeFetch = fetch, random = Math.random }: RetryingFetchOptions): FetchFunction {
  return async (input, init: InitWithCall = {}) => {
    const { [CALL_CONTEXT]: call = {} as CallContext, ...plainInit } = init;
    const headers = new Headers(plainInit.headers);
    // One ID for every attempt of this call: the server logs them together, and errors without a
    // response still name it.
    if (!headers.has("x-request-id")) headers.set("x-request-id", randomId());
    const requestId = headers.get("x-request-id")!;
    const url = urlOf(input);
    const kind = operationTypeOfRequest(url, plainInit);
    const retryable = kind === "query" || (policy.mutations && headers.has(IDEMPOTENCY_KEY_HEADER));
    const timeoutMs = call.timeoutMs ?? defaultTimeoutMs;
    // urql's own signal: the operation was torn down (the caller's signal aborted, or urql no longer needs it).
    const outer = plainInit.signal ?? undefined;
    const aborted = () => new SimgateAbortError("The call was aborted.", { cause: outer?.reason, requestId });

    for (let attempt = 1; ; attempt += 1) {
      const canRetry = retryable && attempt < policy.maxAttempts;
      const wait = async (reason: string, serverDelaySeconds?: number) => {
        const delayMs = serverDelaySeconds !== undefined ? serverDelaySeconds * 1000 : backoffDelay(attempt, policy, random);
        policy.onRetry?.({ attempt, delayMs, reason, requestId });
        await sleep(delayMs, outer).catch(() => {
          throw aborted();
        });
      };

      // Each attempt has its own signal: aborted by its timer or by urql's.
      const controller = new AbortController();
      let timedOut = false;
      const delay = timerDelay(timeoutMs);
      const timer =
        delay === undefined
          ? undefined
          : setTimeout(() => {
              timedOut = true;
              controller.abort(new DOMException(`No answer within ${timeoutMs} ms.`, "TimeoutError"));
            }, delay);
      const onOuterAbort = () => controller.abort(outer?.reason);
      if (outer?.aborted) onOuterAbort();
      outer?.addEventListener("abort", onOuterAbort, { once: true });

      let response: Response | undefined;
      let body: string;
      try {
        const exchange = async () => {
          response = await fetch(input, { ...plainInit, headers, signal: controller.signal });
          // Read the whole body here: a connection dropped mid-body is then retried like any other.
          return response.text();
        };
        body = await untilAborted(exchange(), controller.signal);
      } catch (error) {
        if (outer?.aborted) throw aborted();
        if (timedOut) {
          if (canRetry) {
            await wait("timeout");
            continue;
          }
          throw new SimgateTimeoutError(
            `No answer from the Simgate API within ${timeoutMs} ms (attempt ${attempt} of ${retryable ? policy.maxAttempts : 1}).` +
              (kind === "mutation" ? " The mutation may have run." : ""),
            { cause: error, requestId },
          );
        }
        if (response === undefined && (await isCorsRefusal(error, url, probeFetch, controller.signal))) {
          throw new SimgateCorsError(corsMessage(url), { cause: error, requestId });
        }
        if (canRetry) {
          await wait("network");
          continue;
        }
        throw new SimgateNetworkError(`Could not reach the Simgate API: ${(error as Error)?.message ?? String(error)}`, { cause: error, requestId });
      } finally {
        clearTimeout(timer);
        outer?.removeEventListener("abort", onOuterAbort);
      }

      // Assigned inside the exchange, which resolved.
      const answer: Response = response!;
      const responseId = answer.headers.get("x-request-id") ?? requestId;
      call.onResponse?.({ status: answer.status, requestId: responseId });
      const retryAfter = retryAfterSeconds(answer.headers.get("retry-after"));
      if (RETRIED_STATUSES.has(answer.status) && canRetry) {
        await wait(`HTTP ${answer.status}`);
        continue;
      }
      // The first request with this key is still running: wait as the server asks, then ask again.
      if (answer.status === 409 && canRetry && graphQLErrorCodes(body).includes("IDEMPOTENCY_IN_PROGRESS")) {
        await wait("IDEMPOTENCY_IN_PROGRESS", retryAfter);
        continue;
      }
      // The operator's other writes hold its share of the database: nothing ran, so wait as the
      // server asks and send it again (a mutation only with its Idempotency-Key, as above).
      if (answer.status === 429 && canRetry && graphQLErrorCodes(body).includes("OPERATOR_BUSY")) {
        await wait("OPERATOR_BUSY", retryAfter);
        continue;
      }
      // Never retried here (sign-in included): the caller decides whether to wait retryAfterSeconds.
      if (answer.status === 429) {
        // Simgate says why in RATE_LIMITED (message, retryAfterSeconds); a proxy's 429 has only the status.
        const said = errorFromGraphQLErrors(graphQLErrors(body), answer, requestId);
        if (said instanceof SimgateRateLimitError) throw said;
        throw new SimgateRateLimitError("Rate limited by the Simgate API.", {
          requestId: responseId,
          status: 429,
          code: "RATE_LIMITED",
          retryAfterSeconds: retryAfter,
        });
      }
      if (answer.status >= 500 && (RETRIED_STATUSES.has(answer.status) || !isJson(answer))) {
        throw new SimgateServerError(`The Simgate API failed with HTTP ${answer.status}.`, {
          requestId: responseId,
          status: answer.status,
          code: `HTTP_${answer.status}`,
        });
      }
      return new Response(body, { status: answer.status, statusText: answer.statusText, headers: answer.headers });
    }
  };
}
