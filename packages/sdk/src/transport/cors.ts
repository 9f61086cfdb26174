// Browsers hide why a cross-origin fetch failed: a CORS refusal and a dead network both reject
// with a bare TypeError. Retrying a CORS refusal only fails again, and "network error" sends people
// looking in the wrong place. So after a TypeError from a page (or worker) calling another origin,
// the SDK asks once with `mode: "no-cors"`, which needs no permission from the server: if that gets
// an (opaque) answer, the server is up and the browser refused the real answer, so it is CORS.
import type { FetchFunction } from "./fetch-function.ts";

/** The page's origin when running in a browser context that calls another origin; else undefined. */
export function crossOriginPage(url: string): string | undefined {
  const location = (globalThis as { location?: { origin?: unknown; href?: unknown } }).location;
  if (typeof location?.origin !== "string" || typeof location.href !== "string") return undefined;
  let target: string;
  try {
    target = new URL(url, location.href).origin;
  } catch {
    return undefined;
  }
  return target === location.origin ? undefined : location.origin;
}

/**
 * True when `error` (from fetch, before any response) is a browser's CORS refusal of `url`: a
 * TypeError in a cross-origin browser context, and the server answers a no-cors request.
 */
export async function isCorsRefusal(error: unknown, url: string, fetch: FetchFunction, signal: AbortSignal): Promise<boolean> {
  // By name: fetch's TypeError may come from another realm (an iframe's, a test's).
  if ((error as { name?: unknown } | null)?.name !== "TypeError" || crossOriginPage(url) === undefined) return false;
  try {
    await fetch(url, { method: "HEAD", mode: "no-cors", credentials: "omit", cache: "no-store", signal });
    return true;
  } catch {
    return false;
  }
}

export function corsMessage(url: string): string {
  const page = crossOriginPage(url) ?? "this page's origin";
  let api = url;
  try {
    api = new URL(url).origin;
  } catch {
    // keep the URL as given
  }
  return (
    `The browser refused the answer of the Simgate API at ${api}: the server does not allow requests from ${page} (CORS). ` +
    `Add ${page} to SIMGATE_CORS_ORIGINS on the server (comma-separated scheme://host[:port]); ` +
    "it must also allow the request headers authorization, content-type, idempotency-key and x-request-id."
  );
}
