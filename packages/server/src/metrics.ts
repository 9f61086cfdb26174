// Prometheus metrics (prom-client). One registry per app, so several apps in one process (tests)
// never share counters. Labels come only from bounded sets: an operation is labelled with its name
// only when it is a registered (persisted) operation, everything else is `other` (a client may
// send any name it likes); error codes and statuses are the server's own.
import { Counter, Histogram, Registry, collectDefaultMetrics } from "prom-client";
import { Kind, parse, type GraphQLError } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { DueJobReport } from "@simgate/schema/jobs/due-jobs";

export interface Metrics {
  registry: Registry;
  /** Yoga plugin: counts requests by operation and status, their duration and GraphQL errors. */
  plugin: Plugin;
  dueJobsApplied(report: DueJobReport): void;
  outboxMessage(result: "sent" | "failed"): void;
  /** An operation compiled for execution (compiled-execution.ts), taking this long. */
  operationCompiled(seconds: number): void;
}

export interface MetricsOptions {
  /** The registered operations (sha256 hex → document) the server loaded; only their names are labels. */
  registered: ReadonlyMap<string, string>;
}

/** The name of each registered operation, by hash. */
function registeredNames(registered: ReadonlyMap<string, string>): Map<string, string> {
  const byHash = new Map<string, string>();
  for (const [hash, text] of registered) {
    try {
      const operation = parse(text).definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
      if (operation?.kind === Kind.OPERATION_DEFINITION && operation.name) byHash.set(hash, operation.name.value);
    } catch {
      // A document that does not parse is refused when used; it just gets no label.
    }
  }
  return byHash;
}

export function createMetrics(options: MetricsOptions): Metrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });

  const requests = new Counter({
    name: "simgate_http_requests_total",
    help: "HTTP requests to /graphql by GraphQL operation name and HTTP status",
    labelNames: ["operation", "status"] as const,
    registers: [registry],
  });
  const duration = new Histogram({
    name: "simgate_http_request_duration_seconds",
    help: "Time from receiving a /graphql request to its response, by GraphQL operation name",
    labelNames: ["operation"] as const,
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
    registers: [registry],
  });
  const errors = new Counter({
    name: "simgate_graphql_errors_total",
    help: "GraphQL errors in responses by extensions.code (userErrors in data are not counted)",
    labelNames: ["code"] as const,
    registers: [registry],
  });
  const dueJobs = new Counter({
    name: "simgate_due_jobs_applied_total",
    help: "Due jobs applied by this process's scheduler: S7 expiries, T10 transfer expirations, E6 recovery requests for real operators",
    labelNames: ["kind"] as const,
    registers: [registry],
  });
  const outbox = new Counter({
    name: "simgate_outbox_messages_total",
    help: "Outbox mail delivery attempts by result (sent, failed)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const compilations = new Histogram({
    name: "simgate_graphql_compile_duration_seconds",
    help: "Operations compiled for execution after repeated runs of their document (SIMGATE_COMPILE_AFTER_RUNS), and how long compiling took",
    buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [registry],
  });
  // Zero series exist from the start, so dashboards and rate() see them before the first event.
  dueJobs.inc({ kind: "expiry" }, 0);
  dueJobs.inc({ kind: "transfer_expiry" }, 0);
  dueJobs.inc({ kind: "account_recovery" }, 0);
  outbox.inc({ result: "sent" }, 0);
  outbox.inc({ result: "failed" }, 0);

  const nameByHash = registeredNames(options.registered);
  const names = new Set(nameByHash.values());
  const label = (params: { operationName?: string | null; query?: string; extensions?: Record<string, unknown> }): string => {
    const hash = (params.extensions?.persistedQuery as { sha256Hash?: unknown } | undefined)?.sha256Hash;
    const byHash = typeof hash === "string" ? nameByHash.get(hash) : undefined;
    if (byHash) return byHash;
    const name = params.operationName ?? operationNameOf(params.query);
    if (!name) return "anonymous";
    return names.has(name) ? name : "other";
  };

  const started = new WeakMap<Request, { at: bigint; operation: string }>();

  const countErrors = (result: unknown) => {
    for (const one of Array.isArray(result) ? result : [result]) {
      const list = (one as { errors?: readonly GraphQLError[] } | null)?.errors;
      if (!Array.isArray(list)) continue;
      for (const error of list) {
        const code = (error as { extensions?: { code?: unknown } }).extensions?.code;
        errors.inc({ code: typeof code === "string" && code.length <= 64 ? code : "UNKNOWN" });
      }
    }
  };

  const plugin: Plugin = {
    onRequest({ request }) {
      started.set(request, { at: process.hrtime.bigint(), operation: "anonymous" });
    },
    onParams({ params, request }) {
      const entry = started.get(request);
      if (entry) entry.operation = label(params);
    },
    onResultProcess({ result }) {
      countErrors(result);
    },
    onResponse({ request, response }) {
      const entry = started.get(request);
      if (!entry) return;
      started.delete(request);
      requests.inc({ operation: entry.operation, status: String(response.status) });
      duration.observe({ operation: entry.operation }, Number(process.hrtime.bigint() - entry.at) / 1e9);
    },
  };

  return {
    registry,
    plugin,
    dueJobsApplied(report) {
      if (report.expiriesApplied > 0) dueJobs.inc({ kind: "expiry" }, report.expiriesApplied);
      if (report.transfersExpired > 0) dueJobs.inc({ kind: "transfer_expiry" }, report.transfersExpired);
      if (report.accountRecoveries > 0) dueJobs.inc({ kind: "account_recovery" }, report.accountRecoveries);
      if (report.groupMembershipsEnded > 0) dueJobs.inc({ kind: "group_membership_end" }, report.groupMembershipsEnded);
    },
    outboxMessage(result) {
      outbox.inc({ result });
    },
    operationCompiled(seconds) {
      compilations.observe(seconds);
    },
  };
}

/** The name of the first operation in a document, read without a full parse (labels only). */
function operationNameOf(query: string | undefined): string | undefined {
  const match = query?.slice(0, 2000).match(/^\s*(?:#[^\n]*\n\s*)*(?:query|mutation|subscription)\s+([A-Za-z_][A-Za-z0-9_]*)/);
  return match?.[1];
}
