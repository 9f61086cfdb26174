// Options every SDK method takes last, and how they reach the transport: urql copies fetchOptions
// into the RequestInit it hands to fetch (spread, so symbol keys survive), which is how the
// retrying fetch learns the call's timeout and reports each response back to the call.
import { SimgateAbortError, SimgateTimeoutError, type ResponseInfo } from "./errors.ts";

export interface CallOptions {
  /**
   * How long one attempt may take, request sent to answer read, before it is abandoned (default:
   * the client's `timeoutMs`, 30 s). A timed-out attempt is retried like a dropped connection;
   * after the last one the call throws SimgateTimeoutError. `Infinity`: no limit.
   */
  timeoutMs?: number;
  /**
   * Aborts the call, waits and retries included: it throws SimgateAbortError at once (or
   * SimgateTimeoutError when the signal's reason is a TimeoutError, as from `AbortSignal.timeout`),
   * and is never retried. `AbortSignal.timeout(ms)` bounds a whole call.
   */
  signal?: AbortSignal;
}

export const DEFAULT_TIMEOUT_MS = 30_000;

/** Past this, setTimeout fires at once; a longer timeout is no timeout in practice. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** The call's transport settings, carried inside fetchOptions under CALL_CONTEXT. */
export interface CallContext {
  timeoutMs?: number | undefined;
  /** Told about every HTTP response of the call (each attempt's). */
  onResponse?: (response: ResponseInfo) => void;
  /** Subscriptions: told when the stream has ended (completed or failed), after its last result. */
  onStreamEnd?: () => void;
}

export const CALL_CONTEXT: unique symbol = Symbol("simgate.call");

export type InitWithCall = RequestInit & { [CALL_CONTEXT]?: CallContext };

export function checkTimeout(name: string, value: number | undefined): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "number" || Number.isNaN(value) || value <= 0) throw new RangeError(`${name} must be a positive number of milliseconds (Infinity for none), got ${String(value)}`);
  return value;
}

/** The delay to arm a timer with, or undefined for none. */
export function timerDelay(timeoutMs: number): number | undefined {
  return timeoutMs > MAX_TIMER_MS ? undefined : timeoutMs;
}

/** The typed error for an aborted signal: a timeout when its reason says so. */
export function abortError(reason: unknown, requestId: string | undefined): SimgateAbortError | SimgateTimeoutError {
  if ((reason as { name?: unknown } | undefined)?.name === "TimeoutError") {
    return new SimgateTimeoutError("The call's signal timed out before the Simgate API answered.", { cause: reason, requestId });
  }
  return new SimgateAbortError("The call was aborted by its signal.", { cause: reason, requestId });
}
