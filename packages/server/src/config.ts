// Every limit and lifetime comes from the environment, with a safe default, validated at start.
import { z } from "zod";

const int = (fallback: number, min: number, max: number) => z.coerce.number().int().min(min).max(max).default(fallback);

export const configSchema = z
  .object({
    PORT: int(4000, 0, 65_535),
    HOST: z.string().min(1).default("127.0.0.1"),
    DATABASE_URL: z
      .string()
      .regex(/^(file:|postgres(ql)?:\/\/)/, "must start with file: (SQLite) or postgres:// (PostgreSQL)")
      .default("file:./data/simgate.db"),
    DATABASE_POOL_SIZE: int(10, 1, 200),
    // Guessable only by brute force, and failed attempts are limited per IP (caller-identity.ts).
    SIMGATE_ADMIN_SECRET: z.string().min(32, "must be at least 32 characters").optional(),
    SMTP_URL: z.string().regex(/^smtps?:\/\//, "must be an smtp:// or smtps:// URL").optional(),
    MAIL_FROM: z.string().min(3).default("Simgate <no-reply@simgate.invalid>"),
    SIMGATE_TOKEN_TTL_SECONDS: int(86_400, 60, 172_800),
    SIMGATE_TOKEN_MAX_TTL_SECONDS: int(172_800, 60, 172_800),
    SIMGATE_VERIFICATION_TTL_HOURS: int(24, 1, 720),
    // Verification mail (addEmailAddress, signUp) per recipient address and per operator, per
    // hour, counted in the database (mail/verification-budget.ts). 0 turns a limit off.
    SIMGATE_VERIFICATION_MAIL_PER_ADDRESS_PER_HOUR: int(3, 0, 1000),
    SIMGATE_VERIFICATION_MAIL_PER_OPERATOR_PER_HOUR: int(20, 0, 100_000),
    SIMGATE_KDF_MEMORY_KIB: int(19_456, 1024, 1_048_576),
    SIMGATE_KDF_ITERATIONS: int(2, 1, 10),
    SIMGATE_OUTBOX_INTERVAL_MS: int(1000, 50, 3_600_000),
    SIMGATE_SCHEDULER_INTERVAL_MS: int(1000, 50, 60_000),
    SIMGATE_TERMINATED_RETENTION_DAYS: int(30, 0, 3650),
    // V2: days events stay readable; the scheduler prunes older ones (events/retention.ts).
    SIMGATE_EVENT_RETENTION_DAYS: int(30, 1, 3650),
    // V4: open Subscription.events streams per operator, all instances together (event-wakeups.ts).
    SIMGATE_MAX_SUBSCRIPTIONS_PER_OPERATOR: int(20, 0, 10_000),
    // V4: a stream re-reads the log and re-checks its token at least this often, wake-ups or not.
    SIMGATE_SUBSCRIPTION_RECHECK_SECONDS: int(15, 1, 3600),
    // V4: an open stream's row counts this long after its instance last renewed it (a killed instance's rows expire).
    SIMGATE_SUBSCRIPTION_LEASE_SECONDS: int(60, 10, 3600),
    SIMGATE_TRANSFER_TTL_HOURS: int(168, 1, 720),
    SIMGATE_IDEMPOTENCY_TTL_HOURS: int(24, 1, 720),
    SIMGATE_IDEMPOTENCY_ABANDONED_SECONDS: int(60, 5, 3600),
    SIMGATE_OUTBOX_MAX_ATTEMPTS: int(10, 1, 100),
    // Rate limiting (see rate-limit.ts). 0 turns a budget off.
    SIMGATE_RATE_LIMIT_WINDOW_SECONDS: int(60, 1, 86_400),
    SIMGATE_RATE_LIMIT_PER_IP: int(10, 0, 1_000_000),
    SIMGATE_RATE_LIMIT_PER_ACCOUNT: int(10, 0, 1_000_000),
    SIMGATE_RATE_LIMIT_PER_CLIENT: int(600, 0, 1_000_000),
    SIMGATE_RATE_LIMIT_CLIENT_SYNC_MS: int(1000, 0, 60_000),
    // Root fields per window of every request without a valid bearer, per client IP (rate-limit.ts).
    SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP: int(300, 0, 1_000_000),
    // Bearers that are neither a live token nor the admin secret, per client IP (caller-identity.ts).
    SIMGATE_RATE_LIMIT_FAILED_CREDENTIALS_PER_IP: int(10, 0, 1_000_000),
    // createAuthKey without the password needs a password sign-in at most this old (auth-key.ts).
    SIMGATE_RECENT_SIGN_IN_SECONDS: int(300, 0, 86_400),
    SIMGATE_TRUST_PROXY: z.enum(["true", "false"], "must be true or false").default("false").transform((v) => v === "true"),
    // Persisted operations (see persisted-operations.ts).
    SIMGATE_PERSISTED_OPERATIONS: z.enum(["off", "allow", "require"]).default("allow"),
    SIMGATE_PERSISTED_OPERATIONS_FILE: z.string().min(1).optional(),
    // Operations (see operations-routes.ts, metrics.ts, graceful-shutdown.ts).
    SIMGATE_SHUTDOWN_GRACE_MS: int(10_000, 0, 600_000),
    SIMGATE_READINESS_TIMEOUT_MS: int(2000, 100, 60_000),
    // /metrics is served on the public port only with a token; a metrics port listens on loopback.
    SIMGATE_METRICS_TOKEN: z.string().min(16, "must be at least 16 characters").optional(),
    SIMGATE_METRICS_PORT: z.coerce.number().int().min(0).max(65_535).optional(),
    // Requests (request-body.ts, schema-exposure.ts).
    SIMGATE_MAX_BODY_BYTES: int(1_048_576, 1024, 104_857_600),
    SIMGATE_INTROSPECTION: z.enum(["true", "false"], "must be true or false").default("true").transform((v) => v === "true"),
    // Query limits (see query-limits.ts).
    SIMGATE_MAX_QUERY_DEPTH: int(10, 1, 100),
    SIMGATE_MAX_ALIASES: int(15, 0, 1000),
    SIMGATE_MAX_TOKENS: int(1000, 100, 100_000),
    SIMGATE_MAX_DIRECTIVES: int(20, 0, 1000),
    SIMGATE_MAX_QUERY_COST: int(20_000, 1, 10_000_000),
    // Execution (compiled-execution.ts): the run of one document on which it is compiled; 0: never.
    SIMGATE_COMPILE_AFTER_RUNS: int(100, 0, 1_000_000),
    SIMGATE_MAX_PAGE_SIZE: int(100, 1, 1000),
    SIMGATE_MAX_BULK_PAGE_SIZE: int(1000, 1, 1000),
    // Input limits (see input-limits.ts): the request's variables as JSON, below the body limit, so
    // a body within it still cannot carry a document-sized payload of variables.
    SIMGATE_MAX_VARIABLES_BYTES: int(524_288, 1024, 100_000_000),
    // Fair use of the database (operator-write-gate.ts, schema db/write-limits.ts).
    SIMGATE_MAX_CONCURRENT_WRITES_PER_OPERATOR: int(2, 1, 100),
    SIMGATE_WRITE_QUEUE_TIMEOUT_MS: int(2000, 0, 60_000),
    SIMGATE_TRANSACTION_TIMEOUT_MS: int(5000, 100, 120_000),
    SIMGATE_TRANSACTION_MAX_WAIT_MS: int(2000, 100, 60_000),
    SIMGATE_LOCK_TIMEOUT_MS: int(2000, 10, 60_000),
    SIMGATE_CORS_ORIGINS: z
      .string()
      .default("")
      .transform((v) => v.split(",").map((o) => o.trim()).filter(Boolean))
      .pipe(z.array(z.string().regex(/^https?:\/\/[^/\s]+$/, "each origin must be scheme://host[:port] with no path"))),
    // V6: 32-byte key (base64 or 64 hex digits) sealing webhook signing secrets at rest; without it
    // a key is generated once into the data folder (webhooks/encryption-key.ts), for one machine only.
    SIMGATE_ENCRYPTION_KEY: z
      .string()
      .regex(/^([0-9a-fA-F]{64}|[A-Za-z0-9+/]{43}=)$/, "must be 32 bytes as 64 hex digits or base64")
      .optional(),
    // Where the generated encryption key is kept when SIMGATE_ENCRYPTION_KEY is unset (default: the SQLite file's folder, else ./data).
    SIMGATE_DATA_DIR: z.string().min(1).optional(),
    // Webhooks (V5–V8, webhooks/worker.ts).
    SIMGATE_WEBHOOK_TIMEOUT_MS: int(10_000, 100, 60_000),
    SIMGATE_WEBHOOK_POLL_INTERVAL_MS: int(1000, 20, 60_000),
    SIMGATE_EVENT_WAKE_COALESCE_MS: int(100, 0, 1000),
    SIMGATE_WEBHOOK_CONCURRENCY: int(64, 1, 1000),
    SIMGATE_WEBHOOK_PER_ENDPOINT_CONCURRENCY: int(8, 1, 100),
    // An idle connection to a receiver is kept this long for the next attempt (below the usual 5 s of servers); 0: none.
    SIMGATE_WEBHOOK_KEEPALIVE_MS: int(4000, 0, 60_000),
    // V8: a claimed attempt's lease is its timeout plus this; a killed instance's delivery is due again after it.
    SIMGATE_WEBHOOK_LEASE_GRACE_MS: int(30_000, 1000, 600_000),
    SIMGATE_WEBHOOK_ALLOW_PRIVATE: z.enum(["true", "false"], "must be true or false").default("false").transform((v) => v === "true"),
    // Tests only: comma-separated waits in ms after failed attempts 1, 2, …; unset: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h.
    SIMGATE_WEBHOOK_RETRY_SCHEDULE: z
      .string()
      .regex(/^\d{1,9}(,\d{1,9}){0,19}$/, "must be comma-separated milliseconds")
      .transform((v) => v.split(",").map(Number))
      .optional(),
    LOG_LEVEL: z.enum(["fatal", "error", "warn", "info", "debug", "trace", "silent"]).default("info"),
    NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  })
  .refine((c) => c.SIMGATE_TOKEN_TTL_SECONDS <= c.SIMGATE_TOKEN_MAX_TTL_SECONDS, {
    message: "SIMGATE_TOKEN_TTL_SECONDS must not exceed SIMGATE_TOKEN_MAX_TTL_SECONDS",
    path: ["SIMGATE_TOKEN_TTL_SECONDS"],
  });

export type Config = z.infer<typeof configSchema>;

export class ConfigError extends Error {}

/** Reads the configuration; empty variables count as unset. Throws one error listing every problem. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const present = Object.fromEntries(Object.entries(env).filter(([, v]) => v !== undefined && v !== ""));
  const parsed = configSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join(".") || "(config)"}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join("\n")}`);
  }
  return parsed.data;
}
