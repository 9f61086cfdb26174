// What a POST to /graphql may carry. Two refusals, both before the body is parsed:
//
// - Media type: only JSON (`application/json` or `application/graphql-response+json`, optionally
//   `charset=utf-8`). Forms (`application/x-www-form-urlencoded`, `multipart/form-data`) and
//   `text/plain` are what a web page can send cross-site without a CORS preflight; refusing them
//   means no page can make a visitor's browser run a mutation here (CSRF). Answered 415.
// - Size: yoga's `maxRequestBodySize` refuses a declared Content-Length over the limit before
//   reading, and stops reading a body (chunked or mis-declared) as soon as it grows past it.
//   Answered 413 with `Connection: close`, so node:http drops the socket instead of reading the
//   rest of the upload to keep the connection alive.
import { GraphQLError } from "graphql";
import { createGraphQLError, type Plugin } from "graphql-yoga";

/** `application/json` or `application/graphql-response+json`, with no parameter but `charset=utf-8`. */
const JSON_MEDIA_TYPE = /^\s*application\/(?:json|graphql-response\+json)\s*(?:;\s*charset\s*=\s*(?:utf-8|"utf-8")\s*)?$/i;

export const UNSUPPORTED_MEDIA_TYPE = "UNSUPPORTED_MEDIA_TYPE";
// The header is not echoed: it is client text of any length.
const UNSUPPORTED_MESSAGE =
  "POST bodies must be JSON: send Content-Type: application/json (or application/graphql-response+json), optionally with charset=utf-8. Queries may also be sent with GET.";

function badBody(message: string): Error {
  return createGraphQLError(message, { extensions: { code: "BAD_REQUEST", http: { status: 400 } } });
}

/**
 * yoga's own JSON parser takes `application/json` exactly as written (lower case); this one reads
 * the other spellings the media-type check accepts (upper case, graphql-response+json). Its body
 * is still read through yoga's size limit, which wraps whichever parser is chosen.
 */
async function parseJsonBody(request: Request): Promise<Record<string, unknown>> {
  let body: unknown;
  try {
    body = await request.json();
  } catch (error) {
    if (error instanceof GraphQLError) throw error; // the size limit's refusal
    throw badBody("POST body sent invalid JSON.");
  }
  if (typeof body !== "object" || body === null) throw badBody(`POST body is expected to be object but received ${body === null ? "null" : typeof body}`);
  return body as Record<string, unknown>;
}

export interface RequestBodyLimits {
  /** Largest body read, in bytes (SIMGATE_MAX_BODY_BYTES). */
  maxBytes: number;
  /** The GraphQL endpoint, where only JSON bodies are accepted. */
  graphqlEndpoint: string;
}

export const PAYLOAD_TOO_LARGE = "PAYLOAD_TOO_LARGE";

function refusal(status: number, code: string, message: string): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    // A 413 closes the connection: node:http would otherwise read the rest of the upload to reuse it.
    headers: { "content-type": "application/json; charset=utf-8", ...(status === 413 ? { connection: "close" } : {}) },
  });
}

/** The body's bytes, or null as soon as they pass maxBytes (the rest is never read). */
async function readAtMost(body: ReadableStream<Uint8Array>, maxBytes: number): Promise<Uint8Array<ArrayBuffer> | null> {
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.byteLength;
  }
  return bytes;
}

/**
 * Bounds and checks request bodies before any plugin reads them. yoga's own `maxRequestBodySize`
 * applies only when yoga parses, after `onRequest` plugins have run, and the idempotency plugin
 * reads the body in `onRequest` to fingerprint it; so the body is read here, at most maxBytes of
 * it, and handed on in memory. Two plugins: `bound` must come first of all (it replaces the
 * request, and the others key their state by it); `refuse` comes after metrics and the access log
 * (so refusals are counted and logged) and before everything that reads the body.
 */
export function useRequestBodyLimits({ maxBytes, graphqlEndpoint }: RequestBodyLimits): { bound: Plugin; refuse: Plugin } {
  const oversized = new WeakSet<Request>();
  const unreadable = new WeakSet<Request>();
  const bound: Plugin = {
    async onRequest({ request, setRequest, fetchAPI }) {
      if (!request.body) return;
      const declared = request.headers.get("content-length");
      let bytes: Uint8Array<ArrayBuffer> | null = null;
      let failed = false;
      if (declared === null || Number(declared) <= maxBytes) {
        try {
          bytes = await readAtMost(request.body, maxBytes);
        } catch {
          failed = true; // the client went away or sent a broken stream
        }
      }
      const init = { method: request.method, headers: request.headers, signal: request.signal };
      const replaced = bytes === null ? new fetchAPI.Request(request.url, init) : new fetchAPI.Request(request.url, { ...init, body: bytes });
      if (failed) unreadable.add(replaced);
      else if (bytes === null) oversized.add(replaced);
      setRequest(replaced);
    },
  };
  const refuse: Plugin = {
    onRequest({ request, url, endResponse }) {
      if (request.method === "POST" && url.pathname === graphqlEndpoint && !JSON_MEDIA_TYPE.test(request.headers.get("content-type") ?? "")) {
        endResponse(refusal(415, UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_MESSAGE));
      } else if (oversized.has(request)) {
        endResponse(refusal(413, PAYLOAD_TOO_LARGE, `Request bodies are limited to ${maxBytes} bytes; this one is larger. Nothing was read past the limit.`));
      } else if (unreadable.has(request)) {
        endResponse(refusal(400, "BAD_REQUEST", "The request body could not be read."));
      }
    },
    onRequestParse({ request, requestParser, setRequestParser }) {
      // Of yoga's parsers only its JSON one matches an accepted type; where it did not, ours reads.
      if (request.method === "POST" && !requestParser) setRequestParser(parseJsonBody);
    },
  };
  return { bound, refuse };
}
