// GraphQL over SSE (the "distinct connections" mode graphql-yoga serves on /graphql): one POST with
// `Accept: text/event-stream` per subscription, read with fetch and a small parser, so it runs on
// Web APIs alone (the graphql-sse package's only entry also loads its server half and `graphql`).
// It is urql's subscription forwarder: the auth exchange has already put the caller's token on the
// operation, so a signed-in client's subscriptions use (and refresh) the same token as its calls.
// A dropped connection, a stream that goes silent, or one that ends without `complete` is reported
// as a SimgateNetworkError; reconnecting (and resuming) is the caller's (resources/events.ts).
import type { ExecutionResult, Operation, SubscriptionForwarder } from "@urql/core";
import { CALL_CONTEXT, type CallContext } from "../call-options.ts";
import { SimgateNetworkError, SimgateRequestError, SimgateServerError } from "../errors.ts";
import { persistedOperationHashes } from "../generated/persisted-operations.ts";
import { isUnknownOperation } from "./persisted-fetch.ts";
import type { FetchFunction } from "./retrying-fetch.ts";

export interface SseOptions {
  fetch: FetchFunction;
  /** Send the SDK's own documents by hash (falls back to the text once, like every other call). */
  persisted: boolean;
  /** A stream that sends nothing for this long is taken for dead (the server pings every 12 s). */
  idleTimeoutMs: number;
}

/** The stream sends a comment line at least every 12 s; anything twice that long and more is a dead connection. */
export const MIN_IDLE_TIMEOUT_MS = 30_000;

type Observer = { next(value: ExecutionResult): void; error(error: unknown): void; complete(): void };

function headersOf(operation: Operation): { headers: Headers; call: CallContext | undefined } {
  const options = typeof operation.context.fetchOptions === "function" ? operation.context.fetchOptions() : (operation.context.fetchOptions ?? {});
  const headers = new Headers(options.headers);
  headers.set("accept", "text/event-stream");
  headers.set("content-type", "application/json");
  return { headers, call: (options as { [CALL_CONTEXT]?: CallContext })[CALL_CONTEXT] };
}

/** Splits an SSE byte stream into messages ({ event, data }); comment lines only keep it alive. */
async function readEvents(body: ReadableStream<Uint8Array>, onChunk: () => void, onMessage: (event: string, data: string) => boolean): Promise<"complete" | "ended"> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return "ended";
      onChunk();
      buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
      let end: number;
      while ((end = buffer.indexOf("\n\n")) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = "message";
        const data: string[] = [];
        for (const line of block.split("\n")) {
          if (line === "" || line.startsWith(":")) continue;
          const colon = line.indexOf(":");
          const field = colon < 0 ? line : line.slice(0, colon);
          const value = colon < 0 ? "" : line.slice(colon + 1).replace(/^ /, "");
          if (field === "event") event = value;
          else if (field === "data") data.push(value);
        }
        if (data.length === 0 && event === "message") continue;
        if (!onMessage(event, data.join("\n"))) return "complete";
      }
    }
  } finally {
    reader.releaseLock();
  }
}

export function sseForwarder(options: SseOptions): SubscriptionForwarder {
  return (request, operation) => ({
    subscribe(observer: Observer) {
      const controller = new AbortController();
      let closed = false;
      let idle: ReturnType<typeof setTimeout> | undefined;
      const { headers, call } = headersOf(operation);
      const finish = (how: () => void) => {
        if (closed) return;
        closed = true;
        clearTimeout(idle);
        controller.abort();
        how();
        call?.onStreamEnd?.();
      };
      const touch = () => {
        clearTimeout(idle);
        if (Number.isFinite(options.idleTimeoutMs)) {
          idle = setTimeout(() => finish(() => observer.error(new SimgateNetworkError(`The event stream sent nothing for ${options.idleTimeoutMs} ms.`))), options.idleTimeoutMs);
        }
      };
      const text = JSON.stringify(request);
      const hash = options.persisted && typeof request.query === "string" ? persistedOperationHashes.get(request.query) : undefined;
      const { query: _query, ...withoutText } = request;
      const byHash = hash === undefined ? undefined : JSON.stringify({ ...withoutText, extensions: { ...request.extensions, persistedQuery: { version: 1, sha256Hash: hash } } });

      const run = async () => {
        touch();
        const send = (body: string) => options.fetch(operation.context.url, { method: "POST", headers, body, signal: controller.signal });
        let response = await send(byHash ?? text);
        let answer: string | undefined;
        if (!(response.headers.get("content-type") ?? "").includes("text/event-stream")) {
          answer = await response.text();
          if (byHash !== undefined && isUnknownOperation(answer)) {
            response = await send(text);
            answer = (response.headers.get("content-type") ?? "").includes("text/event-stream") ? undefined : await response.text();
          }
        }
        call?.onResponse?.({ status: response.status, requestId: response.headers.get("x-request-id") ?? headers.get("x-request-id") ?? "" });
        if (answer !== undefined) {
          // Refused before the stream began (a bad cursor, a limit, a rate limit): a GraphQL answer, or an HTTP error.
          let parsed: ExecutionResult | undefined;
          try {
            parsed = JSON.parse(answer) as ExecutionResult;
          } catch {
            parsed = undefined;
          }
          const details = { status: response.status, requestId: response.headers.get("x-request-id") ?? undefined };
          if (parsed && Array.isArray(parsed.errors)) return finish(() => (observer.next(parsed), observer.complete()));
          if (response.status >= 500) return finish(() => observer.error(new SimgateServerError(`HTTP ${response.status}`, { ...details, code: `HTTP_${response.status}` })));
          return finish(() => observer.error(new SimgateRequestError(`HTTP ${response.status}: not an event stream`, { ...details, code: `HTTP_${response.status}` })));
        }
        if (!response.body) return finish(() => observer.error(new SimgateServerError("The event stream had no body.", { code: "INVALID_RESPONSE", status: response.status })));
        const how = await readEvents(response.body, touch, (event, data) => {
          if (closed) return false;
          if (event === "complete") return false;
          if (event === "next") observer.next(JSON.parse(data) as ExecutionResult);
          return true;
        });
        if (how === "complete") finish(() => observer.complete());
        else finish(() => observer.error(new SimgateNetworkError("The event stream ended without completing.")));
      };
      run().catch((error: unknown) => {
        finish(() => observer.error(error instanceof SimgateNetworkError || error instanceof SimgateServerError ? error : new SimgateNetworkError("The event stream's connection failed.", { cause: error })));
      });
      return { unsubscribe: () => finish(() => {}) };
    },
  });
}
