// What a POST to /graphql may carry. Two refusals, both before the body is parsed:
//
// - Media type: only JSON (`application/json` or `application/graphql-response+json`, optionally
//   `charset=utf-8`). Forms (`application/x-www-form-urlencoded`, `multipart/form-data`) and
//   `text/plain` are what a web page can send cross-site without a CORS preflight; refusing them
//   means no page can make a visitor's browser run a mutation here (CSRF). Answered 415.
// - Size (SIMGATE_MAX_BODY_BYTES): a declared Content-Length over the limit is refused before
//   reading, and a body (chunked or mis-declared) is read no further once it grows past it.
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
 * the other spellings the media-type check accepts (upper case, graphql-response+json).
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

/**
 * The request with its body cut off at maxBytes: reading past that fails with a 413 GraphQL error
 * (yoga's JSON parser passes GraphQL errors on as they are). Native streams (in-process requests)
 * need the native TransformStream, node:http's the server's own (as yoga does for its limit).
 */
function limited(request: Request, maxBytes: number, fetchAPI: { Request: typeof Request; TransformStream: typeof TransformStream }): Request {
  const Transform = request.body instanceof ReadableStream ? globalThis.TransformStream : fetchAPI.TransformStream;
  let read = 0;
  const body = request.body!.pipeThrough(
    new Transform<Uint8Array, Uint8Array>({
      transform(chunk, controller) {
        read += chunk.byteLength;
        if (read > maxBytes) controller.error(tooLarge(maxBytes));
        else controller.enqueue(chunk);
      },
    }),
  );
  return new fetchAPI.Request(request.url, { method: request.method, headers: request.headers, signal: request.signal, body, duplex: "half" } as RequestInit);
}

function overDeclared(request: Request, maxBytes: number): boolean {
  const declared = request.headers.get("content-length");
  return declared !== null && Number(declared) > maxBytes;
}

/**
 * A body node:http reads with a declared Content-Length (at most maxBytes here) ends at that
 * length: its parser frames the message by it, and refuses one that also says Transfer-Encoding.
 * Such a body needs no counting stream; chunked bodies and in-process requests (whose header is
 * whatever the caller wrote) still do.
 */
function framedByNode(request: Request, serverContext: unknown): boolean {
  const req = (serverContext as { req?: { headers?: Record<string, unknown> } } | undefined)?.req;
  return req?.headers !== undefined && request.headers.get("content-length") !== null && req.headers["transfer-encoding"] === undefined;
}

function tooLarge(maxBytes: number): GraphQLError {
  return createGraphQLError(`Request bodies are limited to ${maxBytes} bytes; this one is larger. Nothing past the limit was read.`, {
    extensions: { code: PAYLOAD_TOO_LARGE, http: { status: 413 } },
  });
}

/**
 * Bounds and checks request bodies before any plugin reads them. yoga's own `maxRequestBodySize`
 * would apply only once yoga parses, after the `onRequest` plugins, and the idempotency plugin
 * reads the body in `onRequest` to fingerprint it; with these two it would find every body already
 * read within the limit, so it is off (app.ts). Two plugins:
 * - `bound` comes first of all: it swaps the request for one whose body stops at maxBytes (the
 *   other plugins key their state by the request, so they must all see the swapped one). It does
 *   not wait for the body, so a slow upload is already "in flight" (logged, counted, drained).
 * - `refuse` comes after metrics and the access log (refusals are counted and logged) and before
 *   everything that reads the body: 415 for a body that is not JSON, 413 for a declared length
 *   over the limit, else it reads the body (bounded) so a body past the limit is refused here
 *   with 413, not half-read by a later plugin. The bytes stay with the request for the parser.
 */
export function useRequestBodyLimits({ maxBytes, graphqlEndpoint }: RequestBodyLimits): { bound: Plugin; refuse: Plugin } {
  const bound: Plugin = {
    onRequest({ request, setRequest, fetchAPI, serverContext }) {
      // A declared length over the limit is refused by `refuse` without reading a byte.
      if (!request.body || overDeclared(request, maxBytes) || framedByNode(request, serverContext)) return;
      setRequest(limited(request, maxBytes, fetchAPI));
    },
  };
  const refuse: Plugin = {
    async onRequest({ request, url, endResponse }) {
      if (request.method === "POST" && url.pathname === graphqlEndpoint && !JSON_MEDIA_TYPE.test(request.headers.get("content-type") ?? "")) {
        return endResponse(refusal(415, UNSUPPORTED_MEDIA_TYPE, UNSUPPORTED_MESSAGE));
      }
      if (overDeclared(request, maxBytes)) return endResponse(refusal(413, PAYLOAD_TOO_LARGE, tooLarge(maxBytes).message));
      if (!request.body) return;
      try {
        // Native requests tee on clone (the original keeps the bytes); node:http's return themselves and keep the bytes read.
        await request.clone().arrayBuffer();
      } catch (error) {
        const code = error instanceof GraphQLError ? error.extensions.code : undefined;
        if (code === PAYLOAD_TOO_LARGE) return endResponse(refusal(413, PAYLOAD_TOO_LARGE, (error as GraphQLError).message));
        return endResponse(refusal(400, "BAD_REQUEST", "The request body could not be read."));
      }
    },
    onRequestParse({ request, requestParser, setRequestParser }) {
      // Of yoga's parsers only its JSON one matches an accepted type; where it did not, ours reads.
      if (request.method === "POST" && !requestParser) setRequestParser(parseJsonBody);
    },
  };
  return { bound, refuse };
}
