// Exponential backoff with full jitter (P4): the n-th wait is uniform in [0, min(max, base·2^(n-1))),
// so many clients that failed together do not come back together.

export interface RetryOptions {
  /** Attempts per call, the first included (default 4; 1 turns retries off). */
  maxAttempts?: number;
  /** Upper bound of the first wait (default 250 ms); it doubles per attempt. */
  baseDelayMs?: number;
  /** Upper bound of any wait (default 8,000 ms). */
  maxDelayMs?: number;
  /**
   * Retry mutations too (default true). Every mutation carries its own Idempotency-Key, so the
   * server answers a repeat with the stored first response instead of running it twice.
   */
  mutations?: boolean;
  /** Called before each wait, e.g. to log. */
  onRetry?: (event: RetryEvent) => void;
}

export interface RetryEvent {
  /** The attempt that failed (1 for the first). */
  attempt: number;
  /** How long the SDK waits before the next one. */
  delayMs: number;
  /** What went wrong: "network", "HTTP 503", "IDEMPOTENCY_IN_PROGRESS". */
  reason: string;
  requestId: string;
}

export type RetryPolicy = Required<Omit<RetryOptions, "onRetry">> & Pick<RetryOptions, "onRetry">;

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 4, baseDelayMs: 250, maxDelayMs: 8_000, mutations: true };

export function retryPolicy(options: RetryOptions | false | undefined): RetryPolicy {
  if (options === false) return { ...defaultRetryPolicy, maxAttempts: 1 };
  const policy = { ...defaultRetryPolicy, ...options };
  if (!Number.isInteger(policy.maxAttempts) || policy.maxAttempts < 1) throw new RangeError("retry.maxAttempts must be an integer of at least 1");
  if (policy.baseDelayMs < 0 || policy.maxDelayMs < 0) throw new RangeError("retry delays must not be negative");
  return policy;
}

/** The wait after the `attempt`-th failure (1-based). */
export function backoffDelay(attempt: number, policy: Pick<RetryPolicy, "baseDelayMs" | "maxDelayMs">, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or rejects as soon as `signal` aborts. */
export function sleep(ms: number, signal?: AbortSignal | null): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
