// /healthz, /readyz and /metrics: answered in front of yoga, for orchestrators and Prometheus.
// They never touch GraphQL, authentication or idempotency, so they stay cheap and answer even when
// the schema layer is busy. /metrics shows traffic, so the public port serves it only behind
// SIMGATE_METRICS_TOKEN; without one it is not there (404, like any unknown path) and Prometheus
// scrapes the metrics listener on loopback (SIMGATE_METRICS_PORT) instead.
import { timingSafeEqual } from "node:crypto";
import type { Db, DatabaseTarget } from "@simgate/schema/db/database";
import { pendingMigrations } from "@simgate/schema/db/migrate";
import type { Logger } from "./logger.ts";
import type { Metrics } from "./metrics.ts";

export interface OperationsRouteDeps {
  db: Db;
  target: DatabaseTarget;
  metrics: Metrics;
  logger: Logger;
  /** Bearer token /metrics requires; undefined: the public port does not serve /metrics. */
  metricsToken: string | undefined;
  /** Longest a readiness check may take before it counts as not ready. */
  readinessTimeoutMs: number;
  /** True once shutdown has begun: /readyz answers 503 so load balancers stop routing here. */
  draining(): boolean;
}

/** Routes answered in front of yoga: `paths` tells, without awaiting, whether a path is theirs. */
export interface Routes {
  paths: ReadonlySet<string>;
  answer(request: Request): Promise<Response | null>;
}

const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" } });

/** The public port's routes: /healthz, /readyz, and /metrics when a token guards it; null for the rest (yoga). */
export function createOperationsRoutes(deps: OperationsRouteDeps): Routes {
  const paths = new Set(["/healthz", "/readyz", ...(deps.metricsToken !== undefined ? ["/metrics"] : [])]);
  return {
    paths,
    async answer(request) {
      const path = new URL(request.url).pathname;
      if (!paths.has(path)) return null;
      if (request.method !== "GET" && request.method !== "HEAD") return json(405, { status: "error", reason: "use GET" });
      if (path === "/healthz") return json(200, { status: "ok", uptimeSeconds: Math.round(process.uptime()) });
      if (path === "/readyz") return readiness(deps);
      return metricsResponse(request, deps.metrics, deps.metricsToken);
    },
  };
}

/** The metrics listener's routes (loopback): /metrics only, still behind the token when one is set. */
export function createMetricsRoutes(metrics: Metrics, metricsToken: string | undefined): Routes {
  const paths = new Set(["/metrics"]);
  return {
    paths,
    async answer(request) {
      if (!paths.has(new URL(request.url).pathname)) return null;
      if (request.method !== "GET" && request.method !== "HEAD") return json(405, { status: "error", reason: "use GET" });
      return metricsResponse(request, metrics, metricsToken);
    },
  };
}

async function metricsResponse(request: Request, metrics: Metrics, token: string | undefined): Promise<Response> {
  if (token !== undefined && !bearerMatches(request.headers.get("authorization"), token)) {
    return new Response("metrics need Authorization: Bearer <SIMGATE_METRICS_TOKEN>\n", { status: 401, headers: { "www-authenticate": "Bearer" } });
  }
  return new Response(await metrics.registry.metrics(), { status: 200, headers: { "content-type": metrics.registry.contentType } });
}

async function readiness(deps: OperationsRouteDeps): Promise<Response> {
  if (deps.draining()) return json(503, { status: "unavailable", reason: "shutting down" });
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${deps.readinessTimeoutMs} ms`)), deps.readinessTimeoutMs);
  });
  try {
    try {
      await Promise.race([deps.db.$queryRawUnsafe("SELECT 1"), timeout]);
    } catch (error) {
      deps.logger.warn({ err: error }, "readiness: database unreachable");
      return json(503, { status: "unavailable", reason: "database unreachable" });
    }
    let pending: string[];
    try {
      pending = await Promise.race([pendingMigrations(deps.target), timeout]);
    } catch (error) {
      deps.logger.warn({ err: error }, "readiness: migrations unreadable");
      return json(503, { status: "unavailable", reason: "migration state unreadable" });
    }
    if (pending.length > 0) return json(503, { status: "unavailable", reason: "migrations pending", pending });
    return json(200, { status: "ready" });
  } finally {
    clearTimeout(timer);
  }
}

function bearerMatches(header: string | null, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer\s+/i, "") ?? "");
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

/** node:http adapter: answers an operations route on `res` and returns true, or returns false. */
export function serveOperationsRoute(
  routes: Routes,
  req: import("node:http").IncomingMessage,
  res: import("node:http").ServerResponse,
): boolean {
  const path = (req.url ?? "/").split("?")[0]!;
  if (!routes.paths.has(path)) return false;
  const headers = new Headers();
  for (const [name, value] of Object.entries(req.headers)) if (typeof value === "string") headers.set(name, value);
  routes
    .answer(new Request(`http://localhost${req.url}`, { method: req.method, headers }))
    .then(async (response) => {
      const body = req.method === "HEAD" ? "" : await response!.text();
      res.writeHead(response!.status, Object.fromEntries(response!.headers));
      res.end(body);
    })
    .catch(() => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "text/plain" });
      res.end("internal error\n");
    });
  return true;
}
