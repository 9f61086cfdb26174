// Who is calling, decided once per request before anything else runs: the administrator (O5), a
// signed-in operator (O3), or nobody. The resolver context, persisted operations and rate limits
// all read this one answer (request-context.ts), so a request cannot be judged as two callers.
//
// A bearer that is neither a live token (used from an address its auth key allows, U9) nor the
// admin secret is a failed credential attempt
// (admin-secret guessing, stolen or forged tokens): each one is counted per client IP in the
// shared rate-limit store and logged at warn. From an address over SIMGATE_RATE_LIMIT_FAILED_CREDENTIALS_PER_IP
// every bearer but a live token is refused with 429, the right admin secret too, so the answer to
// a guess never tells whether it was right once the limit is reached.
import type { IncomingMessage } from "node:http";
import { createHash, timingSafeEqual } from "node:crypto";
import type { Plugin } from "graphql-yoga";
import { viewerForToken } from "@simgate/schema/auth/sessions";
import type { Viewer } from "@simgate/schema/context";
import type { Db } from "@simgate/schema/db/database";
import { addressAllowed } from "@simgate/schema/domain/cidr";
import type { Clock } from "@simgate/schema/domain/clock";
import type { Logger } from "./logger.ts";
import { clientIp, rateLimitedError } from "./rate-limit.ts";
import { counterKey, type RateLimitStore } from "./rate-limit-store.ts";
import { requestScope, type Identity } from "./request-context.ts";

export type { Identity };

export const ANONYMOUS: Identity = Object.freeze({ isAdmin: false, viewer: null });

export interface IdentityOptions {
  db: Db;
  clock: Clock;
  adminSecret: string | undefined;
  logger: Logger;
  store: RateLimitStore;
  /** Failed credential attempts per client IP and window; 0 turns the limit off (attempts are still logged). */
  failedPerIp: number;
  windowMs: number;
  trustProxy: boolean;
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function bearerOf(request: Request): string | null {
  return bearerIn(request.headers.get("authorization"));
}

/** The token of an `Authorization: Bearer …` value (an HTTP header or graphql-ws connectionParams). */
export function bearerIn(authorization: string | null | undefined): string | null {
  const match = typeof authorization === "string" ? authorization.match(/^Bearer\s+(\S+)\s*$/i) : null;
  return match?.[1] ?? null;
}

const FAILED = "credentials";

function refusal(retryAfterSeconds: number): Response {
  const { message, extensions } = rateLimitedError(retryAfterSeconds);
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code: extensions.code, retryAfterSeconds } }] }), {
    status: 429,
    headers: { "content-type": "application/json", "retry-after": String(retryAfterSeconds) },
  });
}

export type IdentityAnswer = { identity: Identity } | { refusedForSeconds: number };

/**
 * The one decision of who a bearer stands for, for HTTP requests (useCallerIdentity) and for
 * graphql-ws connections alike (web-sockets.ts): the viewer of a live token (with a way to read
 * its session again), the administrator, anonymous, or a refusal (too many failed credentials).
 */
export function identityResolver(options: IdentityOptions): (bearer: string | null, ip: () => string) => Promise<IdentityAnswer> {
  const { db, clock, adminSecret, logger, store, failedPerIp, windowMs } = options;
  const secondsUntil = (resetAt: Date) => Math.max(1, Math.ceil((resetAt.getTime() - clock.now().getTime()) / 1000));
  return async (bearer, ipOf) => {
    const ip = ipOf();
    if (bearer === null) return { identity: { ...ANONYMOUS, clientIp: ip } };
    // U9: a token from a key with CIDR blocks, sent from elsewhere, is no credential at all.
    const live = async () => {
      const viewer = await viewerForToken(db, bearer, clock.now());
      return viewer && addressAllowed(viewer.allowedCidrs, ip) ? viewer : null;
    };
    const viewer = await viewerForToken(db, bearer, clock.now());
    if (viewer && addressAllowed(viewer.allowedCidrs, ip)) return { identity: { isAdmin: false, viewer, clientIp: ip, refresh: live } };
    const isAdminSecret = !viewer && adminSecret !== undefined && sameSecret(bearer, adminSecret);
    const key = counterKey(FAILED, ip);
    if (isAdminSecret) {
      const failures = failedPerIp > 0 ? await store.current(key) : null;
      if (failures && failures.points >= failedPerIp) {
        logger.warn({ ip, failures: failures.points, limit: failedPerIp }, "admin secret refused: too many failed credential attempts from this address");
        return { refusedForSeconds: secondsUntil(failures.resetAt) };
      }
      return { identity: { isAdmin: true, viewer: null, clientIp: ip } };
    }
    // Neither a live token nor the admin secret. Never log the bearer itself: it may be a
    // mistyped secret.
    const hit = failedPerIp > 0 ? await store.hit(key, windowMs) : null;
    logger.warn({ ip, failures: hit?.points, limit: failedPerIp || undefined }, "failed credential attempt: the bearer is neither a live token nor the admin secret");
    if (hit && hit.points > failedPerIp) return { refusedForSeconds: secondsUntil(hit.resetAt) };
    return { identity: { ...ANONYMOUS, clientIp: ip } };
  };
}

/** Resolves the identity into the request scope; must be the first plugin that looks at the request. */
export function useCallerIdentity(options: IdentityOptions): Plugin {
  const resolve = identityResolver(options);
  return {
    async onRequest({ request, serverContext, endResponse }) {
      const scope = requestScope.getStore();
      if (!scope) throw new Error("Requests must run inside requestScope (app.ts)");
      scope.identity = ANONYMOUS;
      const answer = await resolve(bearerOf(request), () => clientIp({ request, req: (serverContext as { req?: IncomingMessage }).req }, options.trustProxy));
      if ("identity" in answer) scope.identity = answer.identity;
      else endResponse(refusal(answer.refusedForSeconds));
    },
  };
}
