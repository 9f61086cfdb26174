// Assembles the server: configuration → database (migrated) → yoga → HTTP, plus the mail outbox.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GraphQLError } from "graphql";
import { createYoga, type Plugin } from "graphql-yoga";
import { createDb, parseDatabaseUrl, type Db, type DatabaseTarget } from "@simgate/schema/db/database";
import { migrate } from "@simgate/schema/db/migrate";
import type { BesideTransactionHandler } from "@simgate/schema/db/transaction-guard";
import { systemClock, type Clock } from "@simgate/schema/domain/clock";
import { schema } from "@simgate/schema/schema/index";
import { buildContext, type ContextDeps } from "./auth-context.ts";
import type { Config } from "./config.ts";
import { createLogger, type Logger } from "./logger.ts";
import { OutboxDeliverer } from "./mail/deliver.ts";
import { DueJobScheduler } from "./scheduler.ts";
import { purgeIdempotencyRecords, useIdempotency } from "./idempotency.ts";
import { currentRequestId, requestIdFrom, requestScope } from "./request-context.ts";
import { useRateLimits } from "./rate-limit.ts";
import { purgeRateLimitCounters, RateLimitStore } from "./rate-limit-store.ts";
import { queryLimitsFrom, useQueryLimits } from "./query-limits.ts";
import { corsOptions } from "./cors.ts";
import { useStorableText } from "./input-text.ts";
import { persistedOperationsFor } from "./persisted-operations.ts";
import { HttpDrain } from "./graceful-shutdown.ts";
import { useAccessLog } from "./access-log.ts";
import { createOperatorWriteGate } from "./operator-write-gate.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { createOperationsRoutes, serveOperationsRoute } from "./operations-routes.ts";

export interface AppOptions {
  clock?: Clock;
  logger?: Logger;
  /** Sees every SQL statement (tests count them). */
  onQuery?: (sql: string) => void;
  /** Sees every statement sent beside an open transaction (tests fail on any: transaction-guard.ts). */
  onQueryBesideTransaction?: BesideTransactionHandler;
}

export interface App {
  config: Config;
  db: Db;
  target: DatabaseTarget;
  logger: Logger;
  deliverer: OutboxDeliverer | null;
  scheduler: DueJobScheduler;
  metrics: Metrics;
  /** Handles one request in-process (tests, other adapters). */
  handle(request: Request): Promise<Response>;
  /** Listens on config.PORT (0: any free port); resolves with the port taken. */
  listen(): Promise<number>;
  /** Graceful: readiness turns 503, in-flight requests finish (SIMGATE_SHUTDOWN_GRACE_MS), jobs stop, database disconnects. */
  close(): Promise<void>;
}

export async function createApp(config: Config, options: AppOptions = {}): Promise<App> {
  const logger = options.logger ?? createLogger(config.LOG_LEVEL);
  const clock = options.clock ?? systemClock;
  const target = parseDatabaseUrl(config.DATABASE_URL);
  const applied = await migrate(target);
  if (applied.length > 0) logger.info({ applied }, "migrations applied");
  const db = await createDb(target, {
    poolSize: config.DATABASE_POOL_SIZE,
    onQuery: options.onQuery,
    onQueryBesideTransaction: options.onQueryBesideTransaction,
    busyTimeoutMs: config.SIMGATE_LOCK_TIMEOUT_MS,
  });

  const deps: ContextDeps = {
    db,
    provider: target.provider,
    clock,
    adminSecret: config.SIMGATE_ADMIN_SECRET,
    settings: {
      tokenTtlSeconds: config.SIMGATE_TOKEN_TTL_SECONDS,
      tokenMaxTtlSeconds: config.SIMGATE_TOKEN_MAX_TTL_SECONDS,
      verificationTtlHours: config.SIMGATE_VERIFICATION_TTL_HOURS,
      kdf: { memoryKiB: config.SIMGATE_KDF_MEMORY_KIB, iterations: config.SIMGATE_KDF_ITERATIONS },
      terminatedRetentionDays: config.SIMGATE_TERMINATED_RETENTION_DAYS,
      transferTtlHours: config.SIMGATE_TRANSFER_TTL_HOURS,
      writes: {
        transactionTimeoutMs: config.SIMGATE_TRANSACTION_TIMEOUT_MS,
        maxWaitMs: config.SIMGATE_TRANSACTION_MAX_WAIT_MS,
        lockTimeoutMs: config.SIMGATE_LOCK_TIMEOUT_MS,
        gate: createOperatorWriteGate({ perOperator: config.SIMGATE_MAX_CONCURRENT_WRITES_PER_OPERATOR, maxQueueMs: config.SIMGATE_WRITE_QUEUE_TIMEOUT_MS }),
      },
    },
  };

  const metrics = createMetrics({ maxOperationNames: config.SIMGATE_METRICS_MAX_OPERATION_NAMES });
  const drain = new HttpDrain(logger);
  const operationsRoutes = createOperationsRoutes({
    db,
    target,
    metrics,
    logger,
    metricsToken: config.SIMGATE_METRICS_TOKEN,
    readinessTimeoutMs: config.SIMGATE_READINESS_TIMEOUT_MS,
    draining: () => drain.draining,
  });

  // Registered operations by hash; `require` refuses ad-hoc documents (persisted-operations.ts).
  const persistedOperations = [persistedOperationsFor(config, deps)].filter((p): p is Plugin => p !== null);

  // Item 2: brute-force and per-client budgets, counted in the database (rate-limit.ts).
  const rateLimits = useRateLimits(
    new RateLimitStore(db, clock),
    {
      windowMs: config.SIMGATE_RATE_LIMIT_WINDOW_SECONDS * 1000,
      perIp: config.SIMGATE_RATE_LIMIT_PER_IP,
      perAccount: config.SIMGATE_RATE_LIMIT_PER_ACCOUNT,
      perClient: config.SIMGATE_RATE_LIMIT_PER_CLIENT,
      clientSyncMs: config.SIMGATE_RATE_LIMIT_CLIENT_SYNC_MS,
      trustProxy: config.SIMGATE_TRUST_PROXY,
    },
    () => clock.now(),
  );

  const requestIdHeader: Plugin = {
    onResponse({ response }) {
      const id = currentRequestId();
      if (id) response.headers.set("x-request-id", id);
    },
  };

  const yoga = createYoga({
    schema,
    graphqlEndpoint: "/graphql",
    landingPage: false,
    graphiql: { title: "Simgate GraphiQL" },
    cors: corsOptions(config.SIMGATE_CORS_ORIGINS),
    context: ({ request }) => buildContext(deps, request, currentRequestId() ?? requestIdFrom(null)),
    plugins: [requestIdHeader, metrics.plugin, useAccessLog(logger), useIdempotency(db, clock, config.SIMGATE_IDEMPOTENCY_ABANDONED_SECONDS * 1000), ...persistedOperations, useStorableText(), rateLimits, ...useQueryLimits(queryLimitsFrom(config))],
    logging: {
      debug: (...args) => logger.debug({ args }, "yoga"),
      info: (...args) => logger.info({ args }, "yoga"),
      warn: (...args) => logger.warn({ args }, "yoga"),
      error: (...args) => logger.error({ args }, "yoga"),
    },
    maskedErrors: {
      // Errors we raise on purpose (GraphQLError: auth, bad input) pass; anything else is logged
      // with the request ID and reaches the client only as that ID.
      maskError(error, message) {
        const original = error instanceof GraphQLError ? (error.originalError ?? error) : error;
        if (original instanceof GraphQLError) return error as Error;
        const requestId = currentRequestId();
        logger.error({ err: original, requestId }, "unexpected error");
        return new GraphQLError(message, {
          path: error instanceof GraphQLError ? error.path : undefined,
          extensions: { code: "INTERNAL_SERVER_ERROR", requestId },
        });
      },
    },
  });

  const deliverer = config.SMTP_URL
    ? new OutboxDeliverer(db, clock, logger, {
        smtpUrl: config.SMTP_URL,
        from: config.MAIL_FROM,
        intervalMs: config.SIMGATE_OUTBOX_INTERVAL_MS,
        maxAttempts: config.SIMGATE_OUTBOX_MAX_ATTEMPTS,
        onResult: (result) => metrics.outboxMessage(result),
      })
    : null;

  const scheduler = new DueJobScheduler(db, clock, logger, {
    provider: target.provider,
    intervalMs: config.SIMGATE_SCHEDULER_INTERVAL_MS,
    terminatedRetentionDays: config.SIMGATE_TERMINATED_RETENTION_DAYS,
    onReport: (report) => metrics.dueJobsApplied(report),
    housekeeping: [
      (now) => purgeIdempotencyRecords(db, new Date(now.getTime() - config.SIMGATE_IDEMPOTENCY_TTL_HOURS * 3_600_000)),
      (now) => purgeRateLimitCounters(db, now),
    ],
  });

  let server: Server | undefined;

  return {
    config,
    db,
    target,
    logger,
    deliverer,
    scheduler,
    metrics,
    handle: async (request) =>
      (await operationsRoutes(request)) ??
      requestScope.run({ requestId: requestIdFrom(request.headers.get("x-request-id")) }, async () => yoga.fetch(request)),
    async listen() {
      server = createServer(drain.track((req, res) => {
        if (serveOperationsRoute(operationsRoutes, req, res)) return;
        const header = req.headers["x-request-id"];
        requestScope.run({ requestId: requestIdFrom(Array.isArray(header) ? header[0] : header) }, () => yoga(req, res));
      }));
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(config.PORT, config.HOST, resolve);
      });
      deliverer?.start();
      scheduler.start();
      return (server.address() as AddressInfo).port;
    },
    async close() {
      // Order matters: stop taking work, let requests and the current job tick finish, then the database.
      drain.begin();
      const stopJobs = Promise.all([scheduler.stop(), deliverer?.stop()]).catch((err) => logger.error({ err }, "stopping jobs failed"));
      if (server) await drain.drain(server, config.SIMGATE_SHUTDOWN_GRACE_MS);
      await stopJobs;
      await db.$disconnect();
    },
  };
}
