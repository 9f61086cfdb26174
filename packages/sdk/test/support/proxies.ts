// Faulty loopback proxies in front of the test server, to exercise the SDK's retries (P4):
// one drops TCP connections, one answers or loses HTTP responses as a test decides.
import { createServer as createHttpServer, request as httpRequest, type IncomingHttpHeaders } from "node:http";
import { connect, createServer as createTcpServer, type AddressInfo, type Server, type Socket } from "node:net";
import { afterAll } from "vitest";

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return (server.address() as AddressInfo).port;
}

export interface TcpDropProxy {
  url: string;
  /** Connections accepted so far, dropped ones included. */
  connections(): number;
}

/** Accepts and immediately destroys the first `dropFirst` connections; pipes the rest to `targetPort`. */
export async function startTcpDropProxy(targetPort: number, dropFirst: number): Promise<TcpDropProxy> {
  let connections = 0;
  const open = new Set<Socket>();
  const server = createTcpServer((socket) => {
    connections += 1;
    if (connections <= dropFirst) {
      socket.destroy();
      return;
    }
    const upstream = connect(targetPort, "127.0.0.1");
    open.add(socket).add(upstream);
    socket.on("error", () => upstream.destroy());
    upstream.on("error", () => socket.destroy());
    socket.on("close", () => open.delete(socket));
    upstream.on("close", () => open.delete(upstream));
    socket.pipe(upstream).pipe(socket);
  });
  afterAll(() => open.forEach((s) => s.destroy()));
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/graphql`, connections: () => connections };
}

export interface ProxiedRequest {
  headers: IncomingHttpHeaders;
  body: string;
  /** The GraphQL operation name from the body. */
  operationName: string | undefined;
}

export interface ProxiedResponse {
  status: number;
  headers: Headers;
  body: string;
}

/** What the proxy does with one request. */
export type FaultAction =
  | { kind: "forward" }
  /** Forward, let the server finish, then drop the connection instead of answering. */
  | { kind: "lose-response" }
  | { kind: "respond"; status: number; headers?: Record<string, string>; body?: string };

export interface FaultProxy {
  url: string;
  requests: ProxiedRequest[];
  /** Responses the server gave to forwarded requests (lost ones included), in order. */
  upstreamResponses: ProxiedResponse[];
}

const HOP_BY_HOP = new Set(["host", "connection", "content-length", "transfer-encoding", "keep-alive", "content-encoding"]);

/** An HTTP proxy to `targetUrl` that asks `decide` what to do with each request. */
export async function startFaultProxy(targetUrl: string, decide: (request: ProxiedRequest, index: number) => FaultAction): Promise<FaultProxy> {
  const requests: ProxiedRequest[] = [];
  const upstreamResponses: ProxiedResponse[] = [];
  const server = createHttpServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks).toString("utf8");
    let operationName: string | undefined;
    try {
      operationName = (JSON.parse(body) as { operationName?: string }).operationName;
    } catch {
      operationName = undefined;
    }
    const request: ProxiedRequest = { headers: req.headers, body, operationName };
    requests.push(request);
    const action = decide(request, requests.length - 1);
    if (action.kind === "respond") {
      res.writeHead(action.status, { "content-type": "application/json", ...action.headers });
      res.end(action.body ?? "");
      return;
    }
    const headers = Object.entries(req.headers).filter(([name]) => !HOP_BY_HOP.has(name)) as [string, string][];
    const upstream = await fetch(targetUrl, { method: req.method, headers, body: req.method === "GET" ? undefined : body });
    const upstreamBody = await upstream.text();
    upstreamResponses.push({ status: upstream.status, headers: upstream.headers, body: upstreamBody });
    if (action.kind === "lose-response") {
      req.socket.destroy();
      return;
    }
    res.writeHead(upstream.status, Object.fromEntries([...upstream.headers].filter(([name]) => !HOP_BY_HOP.has(name))));
    res.end(upstreamBody);
  });
  const port = await listen(server as unknown as Server);
  return { url: `http://127.0.0.1:${port}/graphql`, requests, upstreamResponses };
}

export interface SilentServer {
  url: string;
  /** Requests received so far (headers only: the body is never read). */
  requests: IncomingHttpHeaders[];
  /** Resolves when the connection of request `index` closes (the client gave up on it). */
  closed(index: number): Promise<void>;
}

/** Accepts connections and requests and never answers: what a hung server looks like to a client. */
export async function startSilentServer(): Promise<SilentServer> {
  const requests: IncomingHttpHeaders[] = [];
  const closes: Promise<void>[] = [];
  const server = createHttpServer((req) => {
    requests.push(req.headers);
    closes.push(new Promise((resolve) => req.socket.once("close", () => resolve())));
  });
  const sockets = new Set<Socket>();
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  const port = await listen(server as unknown as Server);
  // After listen(): hooks run last-registered first, and closing waits for these connections.
  afterAll(() => sockets.forEach((s) => s.destroy()));
  return { url: `http://127.0.0.1:${port}/graphql`, requests, closed: (index) => closes[index]! };
}

export interface StreamCutProxy {
  url: string;
  /** Event streams opened through the proxy so far. */
  streams(): number;
}

/**
 * An HTTP proxy that cuts every event stream (text/event-stream answer) after it has passed
 * `cutAfter` `event: next` messages: it destroys both sockets without `complete`, as a dropped
 * connection would. A message split across chunks is cut in the middle, as the network may do.
 */
export async function startStreamCutProxy(targetPort: number, cutAfter: number): Promise<StreamCutProxy> {
  let streams = 0;
  const sockets = new Set<Socket>();
  const server = createHttpServer((req, res) => {
    const upstream = httpRequest({ host: "127.0.0.1", port: targetPort, method: req.method, path: req.url, headers: req.headers }, (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      if (!(answer.headers["content-type"] ?? "").includes("text/event-stream")) {
        answer.pipe(res);
        return;
      }
      streams += 1;
      let passed = 0;
      answer.on("data", (chunk: Buffer) => {
        const text = chunk.toString("utf8");
        let cutAt = -1;
        for (let i = text.indexOf("event: next"); i >= 0; i = text.indexOf("event: next", i + 1)) {
          passed += 1;
          // Pass the cutAfter-th message whole except its last few bytes, then drop the connection.
          if (passed === cutAfter) cutAt = text.indexOf("\n\n", i) - 3;
        }
        if (cutAt < 0 && passed < cutAfter) return void res.write(chunk);
        if (cutAt > 0) res.write(text.slice(0, cutAt));
        answer.destroy();
        res.socket?.destroy();
      });
      answer.on("end", () => res.end());
    });
    upstream.on("error", () => res.socket?.destroy());
    req.pipe(upstream);
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
  });
  afterAll(() => sockets.forEach((s) => s.destroy()));
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}/graphql`, streams: () => streams };
}
