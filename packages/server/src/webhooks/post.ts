// V5, V7: one HTTP attempt. The URL's host is resolved and every address checked now (url-policy.ts);
// the request then connects to the checked address only (a custom `lookup`), so an answer that
// changes between check and connect (DNS rebinding) is never used. Redirects are not followed
// (any 3xx is a failure); the whole attempt, body included, ends after timeoutMs.
//
// Connections are kept alive between attempts (keepAliveMs; 0: a new connection each time), in a
// pool per origin AND checked address: a socket is only ever reused for the address it was opened
// to, and an attempt whose name now resolves elsewhere gets that address's pool. Under load this
// spares the receiver and the server a TCP (and TLS) handshake per delivery.
import http from "node:http";
import https from "node:https";
import type { LookupFunction } from "node:net";
import { resolveWebhookUrl } from "@simgate/schema/webhooks/url-policy";
import type { AttemptResult } from "@simgate/schema/webhooks/deliveries";

export interface PostOptions {
  timeoutMs: number;
  allowPrivate: boolean;
  /** Where kept-alive connections come from; absent (or keepAliveMs 0): a new connection each time. */
  connections?: ReceiverConnections;
}

const MAX_ANSWER_BYTES = 64 * 1024;
/** Idle connections kept per pool (an endpoint's in-flight attempts rarely exceed a few). */
const MAX_IDLE_PER_POOL = 8;

/**
 * Kept-alive connections to receivers, one pool per origin and checked address; pools with nothing
 * in flight and unused for two keep-alive spans are dropped, so names that moved do not pile up.
 * One per webhook worker.
 */
export class ReceiverConnections {
  private readonly pools = new Map<string, { agent: http.Agent; lastUsed: number }>();
  private sweeper: NodeJS.Timeout | undefined;

  constructor(readonly keepAliveMs: number) {}

  agentFor(url: URL, address: string): http.Agent {
    const key = `${url.protocol}//${url.host}|${address}`;
    let pool = this.pools.get(key);
    if (!pool) {
      const options = { keepAlive: true, maxFreeSockets: MAX_IDLE_PER_POOL, timeout: this.keepAliveMs, scheduling: "lifo" as const };
      pool = { agent: url.protocol === "https:" ? new https.Agent(options) : new http.Agent(options), lastUsed: 0 };
      this.pools.set(key, pool);
      this.sweeper ??= setInterval(() => this.sweep(), Math.max(this.keepAliveMs, 1000)).unref();
    }
    pool.lastUsed = Date.now();
    return pool.agent;
  }

  private sweep(): void {
    const now = Date.now();
    for (const [key, pool] of this.pools) {
      // Never a pool with a request in flight (a slow receiver may take the whole attempt timeout).
      const busy = Object.values(pool.agent.sockets).some((list) => (list?.length ?? 0) > 0);
      if (!busy && now - pool.lastUsed > Math.max(this.keepAliveMs, 1000) * 2) {
        pool.agent.destroy();
        this.pools.delete(key);
      }
    }
    if (this.pools.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
  }

  close(): void {
    for (const pool of this.pools.values()) pool.agent.destroy();
    this.pools.clear();
    clearInterval(this.sweeper);
    this.sweeper = undefined;
  }
}

export async function postWebhook(urlText: string, headers: Record<string, string>, body: string, options: PostOptions): Promise<AttemptResult> {
  const verdict = await resolveWebhookUrl(urlText, options.allowPrivate);
  if (!verdict.ok) return { ok: false, status: null, error: verdict.error.message };
  const { url, addresses } = verdict.target;
  const chosen = addresses[0]!;
  const lookup: LookupFunction = (_host, opts, callback) => {
    if ((opts as { all?: boolean }).all) (callback as unknown as (e: null, a: { address: string; family: number }[]) => void)(null, [chosen]);
    else callback(null, chosen.address, chosen.family);
  };
  const client = url.protocol === "https:" ? https : http;
  const pools = options.connections && options.connections.keepAliveMs > 0 ? options.connections : null;
  const send = (reuse: boolean) => new Promise<AttemptResult & { staleSocket?: boolean }>((done) => {
    let settled = false;
    const finish = (result: AttemptResult & { staleSocket?: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      done(result);
    };
    const request = client.request(
      url,
      {
        method: "POST",
        lookup,
        agent: reuse && pools ? pools.agentFor(url, chosen.address) : false,
        headers: { "content-type": "application/json", "content-length": Buffer.byteLength(body).toString(), "user-agent": "Simgate-Webhooks/1", ...headers },
      },
      (response) => {
        let seen = 0;
        response.on("data", (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > MAX_ANSWER_BYTES) response.destroy();
        });
        const status = response.statusCode ?? 0;
        const result: AttemptResult =
          status >= 200 && status < 300
            ? { ok: true, status, error: null }
            : { ok: false, status, error: status >= 300 && status < 400 ? `Redirect (${status}) not followed.` : `HTTP ${status}` };
        response.on("end", () => finish(result));
        response.on("close", () => finish(result));
        response.on("error", () => finish(result));
      },
    );
    const timer = setTimeout(() => {
      finish({ ok: false, status: null, error: `No answer within ${options.timeoutMs} ms.` });
      request.destroy();
    }, options.timeoutMs);
    request.on("error", (err) => {
      const code = (err as NodeJS.ErrnoException).code ?? "ERROR";
      // A kept connection the receiver closed meanwhile: nothing was answered; try a fresh one.
      const staleSocket = request.reusedSocket && (code === "ECONNRESET" || code === "EPIPE");
      finish({ ok: false, status: null, error: `${code}: ${err.message}`.slice(0, 300), staleSocket });
    });
    request.end(body);
  });
  const result = await send(true);
  if (!result.staleSocket) return { ok: result.ok, status: result.status, error: result.error };
  const fresh = await send(false);
  return { ok: fresh.ok, status: fresh.status, error: fresh.error };
}
