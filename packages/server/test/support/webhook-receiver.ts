// A real HTTP receiver on loopback for webhook tests: records every request (headers, raw body)
// and answers as the test says (status, or hold the request until released).
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll } from "vitest";

export interface Received {
  headers: Record<string, string>;
  body: string;
  at: number;
}

/** A status now, "hang" (held until releaseAll), or a status after a delay (a slow receiver). */
export type Answer = number | "hang" | { status: number; afterMs: number };

export interface Receiver {
  url: string;
  received: Received[];
  /** Answers for the next requests, in order; afterwards `fallback`. */
  answers: Answer[];
  fallback: Answer;
  /** TCP connections accepted so far. */
  connections: number;
  /** Ends every held request (tests end with it). */
  releaseAll(): void;
  close(): Promise<void>;
}

export async function startReceiver(path = "/hook"): Promise<Receiver> {
  const held: (() => void)[] = [];
  const receiver: Receiver = {
    url: "",
    received: [],
    answers: [],
    fallback: 200,
    connections: 0,
    releaseAll: () => {
      for (const end of held.splice(0)) end();
    },
    close: async () => {
      receiver.releaseAll();
      server.closeAllConnections();
      await new Promise<void>((done) => server.close(() => done()));
    },
  };
  const server: Server = createServer(async (req: IncomingMessage, res) => {
    let body = "";
    for await (const chunk of req) body += chunk;
    receiver.received.push({ headers: req.headers as Record<string, string>, body, at: Date.now() });
    const answer = receiver.answers.shift() ?? receiver.fallback;
    if (answer === "hang") {
      held.push(() => res.writeHead(200).end());
      return;
    }
    if (typeof answer === "object") {
      const end = () => void (res.headersSent || res.writeHead(answer.status).end());
      const timer = setTimeout(end, answer.afterMs);
      held.push(() => (clearTimeout(timer), end()));
      return;
    }
    res.writeHead(answer).end();
  });
  server.on("connection", () => void (receiver.connections += 1));
  await new Promise<void>((done) => server.listen(0, "127.0.0.1", done));
  receiver.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}${path}`;
  afterAll(() => receiver.close());
  return receiver;
}

export async function until<T>(check: () => T | Promise<T>, what: string, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const end = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}
