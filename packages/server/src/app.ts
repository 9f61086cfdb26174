// Assembles the server: configuration → database (migrated) → yoga → HTTP, plus the mail outbox.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { GraphQLError } from "graphql";
import { createYoga, type Plugin } from "graphql-yoga";
import { createDb, parseDatabaseUrl, type Db, type DatabaseTarget } from "@simgate/schema/db/database";
import { migrate } from "@simgate/schema/db/migrate";
import type { BesideTransactionHandler } from "@simgate/schema/db/transaction-guard";
import { systemClock, type Clock } from "@simgate/schema/domain/clock";
import { schema } from "@simgate/schema/graphql";
import { buildContext, contextOnto, type ContextDeps } from "./auth-context.ts";
import type { Config } from "./config.ts";
import { createLogger, type Logger } from "./logger.ts";
import { OutboxDeliverer } from "./mail/deliver.ts";
import { DueJobScheduler } from "./scheduler.ts";
import { pruneEvents } from "@simgate/schema/jobs/event-retention";
import { purgeIdempotencyRecords, useIdempotency } from "./idempotency.ts";
import { currentIdentity, currentRequestId, requestIdFrom, requestScope } from "./request-context.ts";
import { identityResolver, useCallerIdentity } from "./caller-identity.ts";
import { createLiveEvents, type LiveEvents } from "./event-wakeups.ts";
import { serveWebSockets, type WebSocketEndpoint } from "./web-sockets.ts";
import { useRateLimits } from "./rate-limit.ts";
import { purgeRateLimitCounters, RateLimitStore } from "./rate-limit-store.ts";
import { queryLimitsFrom, useQueryLimits } from "./query-limits.ts";
import { corsOptions } from "./cors.ts";
import { useStorableText } from "./input-text.ts";
import { useInputLimits } from "./input-limits.ts";
import { persistedOperationsFor, registeredOperationsFor } from "./persisted-operations.ts";
import { HttpDrain } from "./graceful-shutdown.ts";
import { coalesceWritesPerTurn, wantsEventStream } from "./event-stream-writes.ts";
import { useAccessLog } from "./access-log.ts";
import { createOperatorWriteGate } from "./operator-write-gate.ts";
import { createMetrics, type Metrics } from "./metrics.ts";
import { createMetricsRoutes, createOperationsRoutes, serveOperationsRoute } from "./operations-routes.ts";
import { renderSelfContainedGraphiQL, useGraphiQLContentSecurityPolicy } from "./graphiql-page.ts";
import { useRequestBodyLimits } from "./request-body.ts";
import { useCompiledExecution } from "./compiled-execution.ts";
import { useHiddenSuggestions, useNoIntrospection } from "./schema-exposure.ts";
import { DEFAULT_RETRY_SCHEDULE_MS } from "@simgate/schema/webhooks/deliveries";
import { encryptionKeyFrom } from "./webhooks/encryption-key.ts";
import { WebhookWorker } from "./webhooks/worker.ts";

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
  /** V5: delivers webhooks; started with listen(). */
  webhooks: WebhookWorker;
  metrics: Metrics;
  /** V4: wake-ups and places of this process's event subscriptions. */
  live: LiveEvents;
  /** Handles one request in-process (tests, other adapters). */
  handle(request: Request): Promise<Response>;
  /** Listens on config.PORT (0: any free port), and on SIMGATE_METRICS_PORT when set; resolves with the public port. */
  listen(): Promise<number>;
  /** The metrics listener's port once listening (loopback), or undefined without SIMGATE_METRICS_PORT. */
  readonly metricsPort: number | undefined;
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

  const live = createLiveEvents({
    db,
    target,
    clock,
    logger,
    maxPerOperator: config.SIMGATE_MAX_SUBSCRIPTIONS_PER_OPERATOR,
    recheckMs: config.SIMGATE_SUBSCRIPTION_RECHECK_SECONDS * 1000,
    leaseMs: config.SIMGATE_SUBSCRIPTION_LEASE_SECONDS * 1000,
    coalesceMs: config.SIMGATE_EVENT_WAKE_COALESCE_MS,
  });

  const encryption = encryptionKeyFrom(config.SIMGATE_ENCRYPTION_KEY, target, config.SIMGATE_DATA_DIR);
  if (encryption.source === "file") logger.warn("SIMGATE_ENCRYPTION_KEY is not set: webhook secrets are sealed with a key generated into the data folder (one machine only)");
  const deps: ContextDeps = {
    live,
    db,
    provider: target.provider,
    clock,
    settings: {
      tokenTtlSeconds: config.SIMGATE_TOKEN_TTL_SECONDS,
      tokenMaxTtlSeconds: config.SIMGATE_TOKEN_MAX_TTL_SECONDS,
      verificationTtlHours: config.SIMGATE_VERIFICATION_TTL_HOURS,
      kdf: { memoryKiB: config.SIMGATE_KDF_MEMORY_KIB, iterations: config.SIMGATE_KDF_ITERATIONS },
      terminatedRetentionDays: config.SIMGATE_TERMINATED_RETENTION_DAYS,
      transferTtlHours: config.SIMGATE_TRANSFER_TTL_HOURS,
      recentSignInSeconds: config.SIMGATE_RECENT_SIGN_IN_SECONDS,
      verificationMail: {
        perAddressPerHour: config.SIMGATE_VERIFICATION_MAIL_PER_ADDRESS_PER_HOUR,
        perOperatorPerHour: config.SIMGATE_VERIFICATION_MAIL_PER_OPERATOR_PER_HOUR,
      },
      writes: {
        transactionTimeoutMs: config.SIMGATE_TRANSACTION_TIMEOUT_MS,
        maxWaitMs: config.SIMGATE_TRANSACTION_MAX_WAIT_MS,
        lockTimeoutMs: config.SIMGATE_LOCK_TIMEOUT_MS,
        gate: createOperatorWriteGate({ perOperator: config.SIMGATE_MAX_CONCURRENT_WRITES_PER_OPERATOR, maxQueueMs: config.SIMGATE_WRITE_QUEUE_TIMEOUT_MS }),
      },
      webhooks: { encryptionKey: encryption.key, allowPrivate: config.SIMGATE_WEBHOOK_ALLOW_PRIVATE },
    },
  };

  const registered = registeredOperationsFor(config);
  const metrics = createMetrics({ registered });
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
  const persistedOperations = [persistedOperationsFor(config, registered)].filter((p): p is Plugin => p !== null);
  const graphqlEndpoint = "/graphql";
  const bodyLimits = useRequestBodyLimits({ maxBytes: config.SIMGATE_MAX_BODY_BYTES, graphqlEndpoint });
  const schemaExposure = [
    ...(config.SIMGATE_INTROSPECTION ? [] : [useNoIntrospection()]),
    ...(config.NODE_ENV === "production" ? [useHiddenSuggestions()] : []),
  ];

  // Brute-force, anonymous and per-client budgets, counted in the database (rate-limit.ts).
  const rateLimitStore = new RateLimitStore(db, clock);
  const rateLimits = useRateLimits(
    rateLimitStore,
    {
      windowMs: config.SIMGATE_RATE_LIMIT_WINDOW_SECONDS * 1000,
      perIp: config.SIMGATE_RATE_LIMIT_PER_IP,
      perAccount: config.SIMGATE_RATE_LIMIT_PER_ACCOUNT,
      perClient: config.SIMGATE_RATE_LIMIT_PER_CLIENT,
      perAnonymousIp: config.SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP,
      clientSyncMs: config.SIMGATE_RATE_LIMIT_CLIENT_SYNC_MS,
      trustProxy: config.SIMGATE_TRUST_PROXY,
    },
    () => clock.now(),
  );

  // The caller, once per request, before any other plugin reads the request (caller-identity.ts).
  const identityOptions = {
    db,
    clock,
    adminSecret: config.SIMGATE_ADMIN_SECRET,
    logger,
    store: rateLimitStore,
    failedPerIp: config.SIMGATE_RATE_LIMIT_FAILED_CREDENTIALS_PER_IP,
    windowMs: config.SIMGATE_RATE_LIMIT_WINDOW_SECONDS * 1000,
    trustProxy: config.SIMGATE_TRUST_PROXY,
  };
  const callerIdentity = useCallerIdentity(identityOptions);

  const requestIdHeader: Plugin = {
    onResponse({ response }) {
      const id = currentRequestId();
      if (id) response.headers.set("x-request-id", id);
    },
  };

  const yoga = createYoga({
    schema,
    graphqlEndpoint,
    landingPage: false,
    // The explorer is part of the product; SIMGATE_INTROSPECTION=false takes it away with introspection.
    graphiql: config.SIMGATE_INTROSPECTION ? { title: "Simgate GraphiQL" } : false,
    renderGraphiQL: renderSelfContainedGraphiQL,
    // No file uploads: multipart bodies are refused before parsing (request-body.ts) and never parsed.
    multipart: false,
    // Every body is bounded, and read, before any plugin or parser gets it (request-body.ts), so
    // yoga's own guard, which streams each body again through a counting TransformStream, is off.
    maxRequestBodySize: false,
    cors: corsOptions(config.SIMGATE_CORS_ORIGINS),
    context: (initial) => contextOnto(initial, buildContext(deps, currentIdentity(), currentRequestId() ?? requestIdFrom(null))),
    plugins: [bodyLimits.bound, useGraphiQLContentSecurityPolicy(), requestIdHeader, metrics.plugin, useAccessLog(logger), bodyLimits.refuse, callerIdentity, ...schemaExposure, useIdempotency(db, clock, config.SIMGATE_IDEMPOTENCY_ABANDONED_SECONDS * 1000), ...persistedOperations, useInputLimits({ variablesBytes: config.SIMGATE_MAX_VARIABLES_BYTES }), useStorableText(), rateLimits, ...useQueryLimits(queryLimitsFrom(config)), useCompiledExecution({ afterRuns: config.SIMGATE_COMPILE_AFTER_RUNS, onCompiled: metrics.operationCompiled })],
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
      (now) => pruneEvents(db, now, { retentionDays: config.SIMGATE_EVENT_RETENTION_DAYS }),
    ],
  });

  const webhooks = new WebhookWorker(db, clock, logger, {
    provider: target.provider,
    encryptionKey: encryption.key,
    timeoutMs: config.SIMGATE_WEBHOOK_TIMEOUT_MS,
    leaseGraceMs: config.SIMGATE_WEBHOOK_LEASE_GRACE_MS,
    pollIntervalMs: config.SIMGATE_WEBHOOK_POLL_INTERVAL_MS,
    coalesceMs: config.SIMGATE_EVENT_WAKE_COALESCE_MS,
    concurrency: config.SIMGATE_WEBHOOK_CONCURRENCY,
    perEndpoint: config.SIMGATE_WEBHOOK_PER_ENDPOINT_CONCURRENCY,
    keepAliveMs: config.SIMGATE_WEBHOOK_KEEPALIVE_MS,
    allowPrivate: config.SIMGATE_WEBHOOK_ALLOW_PRIVATE,
    retryScheduleMs: config.SIMGATE_WEBHOOK_RETRY_SCHEDULE ?? DEFAULT_RETRY_SCHEDULE_MS,
  });

  let server: Server | undefined;
  let webSockets: WebSocketEndpoint | undefined;
  let metricsServer: Server | undefined;
  const metricsRoutes = createMetricsRoutes(metrics, config.SIMGATE_METRICS_TOKEN);

  return {
    config,
    db,
    target,
    logger,
    deliverer,
    scheduler,
    webhooks,
    metrics,
    live,
    get metricsPort() {
      return metricsServer ? (metricsServer.address() as AddressInfo).port : undefined;
    },
    handle: async (request) =>
      (await operationsRoutes.answer(request)) ??
      requestScope.run({ requestId: requestIdFrom(request.headers.get("x-request-id")) }, async () => yoga.fetch(request)),
    async listen() {
      server = createServer(drain.track((req, res) => {
        if (serveOperationsRoute(operationsRoutes, req, res)) return;
        if (wantsEventStream(req)) coalesceWritesPerTurn(res);
        const header = req.headers["x-request-id"];
        requestScope.run({ requestId: requestIdFrom(Array.isArray(header) ? header[0] : header) }, () => yoga(req, res));
      }));
      await new Promise<void>((resolve, reject) => {
        server!.once("error", reject);
        server!.listen(config.PORT, config.HOST, resolve);
      });
      // graphql-ws on the same port and path as GraphQL over HTTP and SSE.
      webSockets = serveWebSockets({
        server,
        path: graphqlEndpoint,
        yoga,
        resolveIdentity: identityResolver(identityOptions),
        trustProxy: config.SIMGATE_TRUST_PROXY,
        maxMessageBytes: config.SIMGATE_MAX_BODY_BYTES,
        variablesBytes: config.SIMGATE_MAX_VARIABLES_BYTES,
        persisted: { mode: config.SIMGATE_PERSISTED_OPERATIONS, store: registered, development: config.NODE_ENV === "development" },
        logger,
      });
      await live.start();
      if (config.SIMGATE_METRICS_PORT !== undefined) {
        // Loopback only, whatever HOST is: a scraper on this machine (or a sidecar) reads it.
        metricsServer = createServer((req, res) => {
          if (!serveOperationsRoute(metricsRoutes, req, res)) res.writeHead(404, { "content-type": "text/plain" }).end("not found\n");
        });
        await new Promise<void>((resolve, reject) => {
          metricsServer!.once("error", reject);
          metricsServer!.listen(config.SIMGATE_METRICS_PORT, "127.0.0.1", resolve);
        });
      }
      deliverer?.start();
      scheduler.start();
      webhooks.start();
      return (server.address() as AddressInfo).port;
    },
    async close() {
      // Order matters: stop taking work, let requests and the current job tick finish, then the database.
      drain.begin();
      // Subscriptions never finish on their own: end them first (SSE responses complete, sockets
      // close with 1001), so the drain waits only for ordinary requests.
      const stopLive = live.close();
      const stopSockets = webSockets?.close();
      const stopJobs = Promise.all([scheduler.stop(), deliverer?.stop(), webhooks.stop()]).catch((err) => logger.error({ err }, "stopping jobs failed"));
      if (server) await drain.drain(server, config.SIMGATE_SHUTDOWN_GRACE_MS);
      if (metricsServer) await new Promise<void>((resolve) => metricsServer!.close(() => resolve()).closeAllConnections());
      await stopJobs;
      await Promise.all([stopLive, stopSockets]).catch((err) => logger.error({ err }, "closing subscriptions failed"));
      await db.$disconnect();
    },
  };
}
