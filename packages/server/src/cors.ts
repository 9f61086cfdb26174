// Browsers may call the API only from the origins listed in SIMGATE_CORS_ORIGINS; with none
// listed, no CORS headers are sent and browsers keep cross-origin pages out. Credentials are never
// allowed: the API authenticates with bearer tokens, not cookies, so there is no ambient
// credential for another site to ride on (no CSRF).
import type { CORSOptions } from "graphql-yoga";

/** Request headers browser clients need (auth, retries, tracing) and response headers they may read. */
export const CORS_ALLOWED_HEADERS = ["authorization", "content-type", "idempotency-key", "x-request-id"];
export const CORS_EXPOSED_HEADERS = ["x-request-id", "retry-after"];

export function corsOptions(origins: readonly string[]): CORSOptions {
  if (origins.length === 0) return false;
  return {
    origin: [...origins],
    methods: ["GET", "POST", "OPTIONS"],
    allowedHeaders: CORS_ALLOWED_HEADERS,
    exposedHeaders: CORS_EXPOSED_HEADERS,
    credentials: false,
    maxAge: 600,
  };
}
