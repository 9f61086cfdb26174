// Subscription clients for tests and the bench: GraphQL over SSE with fetch (as curl does) and
// graphql-ws with its own client over `ws`. Both hand out results as they arrive.
import { createClient, type Client } from "graphql-ws";
import WebSocket from "ws";

export interface Received {
  data?: any;
  errors?: { message: string; extensions?: Record<string, unknown> }[];
}

export interface OpenSubscription {
  /** The next result; null once the stream has ended. Rejects after timeoutMs. */
  next(timeoutMs?: number): Promise<Received | null>;
  /** Resolves when the server ends the stream. */
  readonly ended: Promise<void>;
  close(): Promise<void>;
}

function queue() {
  const items: (Received | null)[] = [];
  const waiting: ((r: Received | null) => void)[] = [];
  let endedResolve!: () => void;
  const ended = new Promise<void>((r) => (endedResolve = r));
  return {
    ended,
    push(item: Received | null) {
      if (item === null) endedResolve();
      const w = waiting.shift();
      if (w) w(item);
      else items.push(item);
    },
    next(timeoutMs = 10_000): Promise<Received | null> {
      if (items.length > 0) {
        const item = items.shift()!;
        if (item === null) items.unshift(null); // stays ended
        return Promise.resolve(item);
      }
      return new Promise((resolve, reject) => {
        const timer = setTimeout(() => {
          waiting.splice(waiting.indexOf(done), 1);
          reject(new Error(`no subscription result within ${timeoutMs} ms`));
        }, timeoutMs);
        const done = (r: Received | null) => {
          clearTimeout(timer);
          if (r === null) items.push(null);
          resolve(r);
        };
        waiting.push(done);
      });
    },
  };
}

/** POST /graphql with Accept: text/event-stream. Resolves once the response has started. */
export async function subscribeSse(base: string, query: string, variables: Record<string, unknown>, token: string | null): Promise<OpenSubscription & { status: number }> {
  const abort = new AbortController();
  const response = await fetch(`${base}/graphql`, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify({ query, variables }),
    signal: abort.signal,
  });
  const q = queue();
  const contentType = response.headers.get("content-type") ?? "";
  if (!contentType.includes("text/event-stream")) {
    // A refusal before the stream started: one JSON result.
    q.push((await response.json()) as Received);
    q.push(null);
  } else {
    void (async () => {
      const decoder = new TextDecoder();
      let buffer = "";
      try {
        for await (const chunk of response.body! as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk as Uint8Array, { stream: true });
          let at: number;
          while ((at = buffer.indexOf("\n\n")) >= 0) {
            const block = buffer.slice(0, at);
            buffer = buffer.slice(at + 2);
            const event = /^event: (.*)$/m.exec(block)?.[1];
            const data = block
              .split("\n")
              .filter((l) => l.startsWith("data:"))
              .map((l) => l.slice(5).trimStart())
              .join("\n");
            if (event === "complete") {
              q.push(null);
              return;
            }
            if (data) q.push(JSON.parse(data) as Received);
          }
        }
      } catch {
        // aborted by close()
      }
      q.push(null);
    })();
  }
  return {
    status: response.status,
    next: q.next,
    ended: q.ended,
    async close() {
      abort.abort();
    },
  };
}

export function wsClient(base: string, token: string | null, options: { viaHeader?: boolean } = {}): Client {
  const url = base.replace(/^http/, "ws") + "/graphql";
  const auth = token ? `Bearer ${token}` : undefined;
  class HeaderWebSocket extends WebSocket {
    constructor(address: string, protocols?: string | string[]) {
      super(address, protocols, auth && options.viaHeader ? { headers: { authorization: auth } } : {});
    }
  }
  return createClient({
    url,
    webSocketImpl: HeaderWebSocket,
    connectionParams: auth && !options.viaHeader ? { authorization: auth } : undefined,
    retryAttempts: 0,
    lazy: true,
  });
}

/** One subscription over a graphql-ws client. */
export function subscribeWs(client: Client, query: string, variables: Record<string, unknown>): OpenSubscription {
  const q = queue();
  const stop = client.subscribe(
    { query, variables },
    {
      next: (value) => q.push(value as Received),
      error: (error) => {
        q.push(Array.isArray(error) ? { errors: error as Received["errors"] } : { errors: [{ message: String((error as { reason?: string }).reason ?? error) }] });
        q.push(null);
      },
      complete: () => q.push(null),
    },
  );
  return {
    next: q.next,
    ended: q.ended,
    async close() {
      stop();
    },
  };
}

/** Reads results until one has sequence `last` (or fails); answers every sequence seen, in order. */
export async function sequencesThrough(sub: OpenSubscription, last: number, timeoutMs = 20_000): Promise<number[]> {
  const seen: number[] = [];
  const deadline = Date.now() + timeoutMs;
  while (seen.at(-1) !== last) {
    const result = await sub.next(Math.max(1, deadline - Date.now()));
    if (result === null) throw new Error(`stream ended after ${JSON.stringify(seen)}`);
    if (result.errors) throw new Error(`errors: ${JSON.stringify(result.errors)}`);
    seen.push(Number(result.data.events.sequence));
    if (seen.at(-1)! > last) break;
  }
  return seen;
}
