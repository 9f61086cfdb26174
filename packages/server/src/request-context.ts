// The request ID travels with the request's async work, so logs and masked errors can name it.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";

export const requestScope = new AsyncLocalStorage<{ requestId: string }>();

/** Honours a caller's X-Request-ID when it is short and plain; otherwise makes one. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && /^[A-Za-z0-9._-]{1,64}$/.test(header) ? header : randomUUID();
}

export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}
