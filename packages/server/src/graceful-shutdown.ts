// Draining the HTTP server on shutdown: stop accepting connections at once, let requests already
// received finish (at most graceMs), then close every socket. Keep-alive connections that are idle
// stay open during the drain (a probe may still ask /readyz on one and hear 503) but every response
// sent meanwhile carries `Connection: close`, so clients move to another instance.
import type { IncomingMessage, Server, ServerResponse } from "node:http";
import { Server as NetServer } from "node:net";
import type { Logger } from "./logger.ts";

export class HttpDrain {
  private inFlight = 0;
  private idle: (() => void)[] = [];
  private started = false;

  constructor(private readonly logger: Logger) {}

  get draining(): boolean {
    return this.started;
  }

  get requestsInFlight(): number {
    return this.inFlight;
  }

  /** Wraps a node:http handler so the drain knows which requests are still running. */
  track(handler: (req: IncomingMessage, res: ServerResponse) => void): (req: IncomingMessage, res: ServerResponse) => void {
    return (req, res) => {
      this.inFlight += 1;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        this.inFlight -= 1;
        if (this.inFlight === 0) for (const wake of this.idle.splice(0)) wake();
      };
      res.once("finish", finish);
      res.once("close", finish);
      if (this.started) res.setHeader("connection", "close");
      handler(req, res);
    };
  }

  /** Marks the start of shutdown (readiness turns 503) even when nothing listens (in-process use). */
  begin(): void {
    this.started = true;
  }

  /** Stops accepting, waits for in-flight requests (at most graceMs), then closes every socket. */
  async drain(server: Server, graceMs: number): Promise<{ abandoned: number }> {
    this.begin();
    const closed = new Promise<void>((resolve) => server.once("close", () => resolve()));
    // net.Server#close, not http.Server#close: the latter also drops idle keep-alive sockets at
    // once (Node 19+), and we stop only the listener here; sockets are ended after the drain.
    NetServer.prototype.close.call(server);
    this.logger.info({ inFlight: this.inFlight, graceMs }, "draining: no new connections, finishing requests in flight");
    let timer: NodeJS.Timeout | undefined;
    const inFlightDone = this.inFlight === 0 ? Promise.resolve(true) : new Promise<boolean>((resolve) => this.idle.push(() => resolve(true)));
    const finished = await Promise.race([inFlightDone, new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), graceMs)))]);
    clearTimeout(timer);
    const abandoned = this.inFlight;
    if (!finished) this.logger.warn({ abandoned, graceMs }, "grace period over: closing connections with requests still running");
    server.closeAllConnections();
    server.close(); // http.Server#close now: also clears its connection-check interval
    await closed;
    return { abandoned };
  }
}
