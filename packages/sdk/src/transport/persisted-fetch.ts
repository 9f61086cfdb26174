// Persisted operations (APQ style): a request whose document is one of the SDK's own operations is
// sent as `extensions.persistedQuery { version: 1, sha256Hash }` without the text, so a server in
// `require` mode accepts it and every request is smaller. The hashes were computed at generation
// time from the exact text urql sends (src/generated/persisted-operations.ts); documents the SDK
// does not know (`client.urql` with your own document) go out as text, unchanged.
//
// If the server does not know the hash (persisted operations off, or a server older than this
// SDK) it ran nothing; the request is sent once more with the text. A mutation's Idempotency-Key
// belongs to the refused attempt (the server keeps its answer), so the text goes with a key
// derived from it: retries of the fallback reuse it, and nothing can run twice.
import { persistedOperationHashes } from "../generated/persisted-operations.ts";
import type { FetchFunction } from "./retrying-fetch.ts";

const IDEMPOTENCY_KEY_HEADER = "idempotency-key";
/** Answers to a hash the server cannot run are short; longer bodies are never scanned. */
const MAX_REFUSAL_LENGTH = 4096;

export interface PersistedFetchOptions {
  fetch: FetchFunction;
  /** Document text as sent → SHA-256 (hex). Default: the SDK's generated registry. */
  hashes?: ReadonlyMap<string, string>;
}

interface RequestBody {
  query?: unknown;
  extensions?: Record<string, unknown>;
  [key: string]: unknown;
}

function parseBody(init: RequestInit | undefined): RequestBody | null {
  if (typeof init?.body !== "string" || (init.method ?? "GET").toUpperCase() !== "POST") return null;
  try {
    const body = JSON.parse(init.body) as unknown;
    return typeof body === "object" && body !== null && !Array.isArray(body) ? (body as RequestBody) : null;
  } catch {
    return null;
  }
}

/** The server could not run the hash: not registered there, or no registry at all. */
export function isUnknownOperation(text: string): boolean {
  if (text.length > MAX_REFUSAL_LENGTH || !(text.includes("PERSISTED_QUERY_NOT_FOUND") || text.includes("Must provide query string"))) return false;
  try {
    const { errors } = JSON.parse(text) as { errors?: { message?: unknown; extensions?: { code?: unknown } }[] };
    return (errors ?? []).some((e) => e.extensions?.code === "PERSISTED_QUERY_NOT_FOUND" || e.message === "Must provide query string.");
  } catch {
    return false;
  }
}

export function createPersistedFetch({ fetch, hashes = persistedOperationHashes }: PersistedFetchOptions): FetchFunction {
  return async (input, init) => {
    const body = parseBody(init);
    const hash = typeof body?.query === "string" ? hashes.get(body.query) : undefined;
    if (!body || hash === undefined) return fetch(input, init);

    const { query: _text, ...withoutText } = body;
    const persisted = { ...withoutText, extensions: { ...body.extensions, persistedQuery: { version: 1, sha256Hash: hash } } };
    const response = await fetch(input, { ...init, body: JSON.stringify(persisted) });
    // Pages of data are long: pass them on unread (the retrying fetch reads them once).
    if (Number(response.headers.get("content-length")) > MAX_REFUSAL_LENGTH) return response;
    const text = await response.text();
    if (!isUnknownOperation(text)) return new Response(text, { status: response.status, statusText: response.statusText, headers: response.headers });

    const headers = new Headers(init!.headers);
    const key = headers.get(IDEMPOTENCY_KEY_HEADER);
    if (key !== null) headers.set(IDEMPOTENCY_KEY_HEADER, `${key}.document`);
    return fetch(input, { ...init, headers });
  };
}
