// The request ID and the caller's identity travel with the request's async work, so logs, masked
// errors and every plugin read the same values.
import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import type { Viewer } from "@simgate/schema/context";

/** Who is calling, decided once per request (caller-identity.ts). */
export interface Identity {
  /** O5: the request carried the configured admin secret. */
  isAdmin: boolean;
  viewer: Viewer | null;
  /** The client address as rate limits see it (clientIp in rate-limit.ts); auth-key sign-ins check it (U9). */
  clientIp?: string;
  /** Reads the token's session again (long-lived subscriptions and sockets): the viewer now, or null once it ended. */
  refresh?: () => Promise<Viewer | null>;
}

export interface RequestScope {
  requestId: string;
  /** Set once, by the first plugin (caller-identity.ts), before anything else looks at the request. */
  identity?: Identity;
}

export const requestScope = new AsyncLocalStorage<RequestScope>();

/** Honours a caller's X-Request-ID when it is short and plain; otherwise makes one. */
export function requestIdFrom(header: string | null | undefined): string {
  return header && /^[A-Za-z0-9._-]{1,64}$/.test(header) ? header : randomUUID();
}

export function currentRequestId(): string | undefined {
  return requestScope.getStore()?.requestId;
}

/** The identity resolved for this request; throws when read before it was resolved (a plugin-order bug). */
export function currentIdentity(): Identity {
  const identity = requestScope.getStore()?.identity;
  if (!identity) throw new Error("The caller's identity is read before caller-identity.ts resolved it");
  return identity;
}
