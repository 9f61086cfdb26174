// Starts the real app on a fresh database and talks to it over HTTP semantics (yoga's fetch, or
// a listening server), the way clients do.
import { afterAll, afterEach, expect } from "vitest";
import type { Clock } from "@simgate/schema/domain/clock";
import { createApp, type App } from "../../src/app.ts";
import { loadConfig } from "../../src/config.ts";
import { createLogger } from "../../src/logger.ts";
import { createTestDatabase } from "./test-database.ts";

export const ADMIN_SECRET = "test-admin-secret-0123456789abcdef";

export interface GraphQLResponse<T = any> {
  data?: T;
  errors?: { message: string; path?: string[]; extensions?: Record<string, unknown> }[];
}

/** The real clock shifted by an offset that tests set or advance (token expiry and the like), or
 * frozen at an instant when a test needs one exactly (a date boundary). */
export class TestClock implements Clock {
  private offsetMs = 0;
  private frozenAt: number | null = null;
  now(): Date {
    return new Date(this.frozenAt ?? Date.now() + this.offsetMs);
  }
  set(at: Date | string): void {
    this.frozenAt = null;
    this.offsetMs = new Date(at).getTime() - Date.now();
  }
  /** Stops the clock at `at` until the next set, advance or reset. */
  freeze(at: Date | string): void {
    this.frozenAt = new Date(at).getTime();
  }
  advance(ms: number): void {
    if (this.frozenAt !== null) this.frozenAt += ms;
    else this.offsetMs += ms;
  }
  reset(): void {
    this.frozenAt = null;
    this.offsetMs = 0;
  }
}

export interface Harness {
  app: App;
  clock: TestClock;
  /** SQL statements sent since the last reset (counted only while counting is on). */
  statements: { count: number; sql: string[]; counting: boolean; reset(): void };
  /** Runs a GraphQL document; `auth` is a bearer token (or the admin secret). */
  gql<T = any>(query: string, variables?: Record<string, unknown>, auth?: string | null): Promise<GraphQLResponse<T>>;
  /** Like gql, but fails the test on GraphQL errors and returns data. */
  ok<T = any>(query: string, variables?: Record<string, unknown>, auth?: string | null): Promise<T>;
  raw(init: { body?: unknown; headers?: Record<string, string>; method?: string; path?: string }): Promise<Response>;
}

export interface HarnessOptions {
  env?: Record<string, string>;
  logger?: import("../../src/logger.ts").Logger;
}

/** gql and ok on top of a way to send a request (in-process here, over a socket to a child process). */
export function graphqlOver(raw: Harness["raw"], where = ""): Pick<Harness, "gql" | "ok"> {
  const gql: Harness["gql"] = async (query, variables, auth) => {
    const response = await raw({ body: { query, variables }, headers: auth ? { authorization: `Bearer ${auth}` } : {} });
    return (await response.json()) as GraphQLResponse;
  };
  const ok: Harness["ok"] = async (query, variables, auth) => {
    const result = await gql(query, variables, auth);
    if (result.errors?.length) throw new Error(`GraphQL errors${where}: ${JSON.stringify(result.errors)}`);
    return result.data;
  };
  return { gql, ok };
}

/** One app and database per test file, closed and dropped after it. */
export async function startHarness(options: HarnessOptions = {}): Promise<Harness> {
  const database = await createTestDatabase();
  const clock = new TestClock();
  const config = loadConfig({
    DATABASE_URL: database.url,
    SIMGATE_ADMIN_SECRET: ADMIN_SECRET,
    // Cheap hashing keeps tests fast; the cost is configuration, the code path is the same.
    SIMGATE_KDF_MEMORY_KIB: "1024",
    SIMGATE_KDF_ITERATIONS: "1",
    DATABASE_POOL_SIZE: "20",
    PORT: "0",
    // Tests sign in many times from one client: rate limits are off unless a test sets them
    // (rate-limit.test.ts does, with the real defaults).
    SIMGATE_RATE_LIMIT_PER_IP: "0",
    SIMGATE_RATE_LIMIT_PER_ACCOUNT: "0",
    SIMGATE_RATE_LIMIT_PER_CLIENT: "0",
    SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP: "0",
    SIMGATE_RATE_LIMIT_FAILED_CREDENTIALS_PER_IP: "0",
    // Likewise verification mail per address and operator (verification-mail-limits.test.ts sets them).
    SIMGATE_VERIFICATION_MAIL_PER_ADDRESS_PER_HOUR: "0",
    SIMGATE_VERIFICATION_MAIL_PER_OPERATOR_PER_HOUR: "0",
    // The whole suite shares two cores: a transaction may wait longer for its turn than the
    // production defaults allow without anything being wrong. fair-use.test.ts and the load tests
    // run with the defaults, or tighter, on purpose.
    SIMGATE_TRANSACTION_TIMEOUT_MS: "20000",
    SIMGATE_TRANSACTION_MAX_WAIT_MS: "10000",
    // Every query and mutation runs compiled from its first run, so that the whole suite checks
    // compiled execution answers as graphql-js does (compiled-execution.test.ts covers the switch).
    SIMGATE_COMPILE_AFTER_RUNS: "1",
    ...options.env,
  });
  const statements: Harness["statements"] = {
    count: 0,
    sql: [],
    counting: false,
    reset() {
      this.count = 0;
      this.sql = [];
    },
  };
  // No statement may take a second connection while its transaction holds one (transaction-guard.ts).
  const besideTransaction: { sql: string; stack: string }[] = [];
  afterEach(() => {
    const seen = besideTransaction.splice(0);
    expect(seen.map((v) => `${v.sql}\n${v.stack}`), "statements sent beside an open transaction").toEqual([]);
  });
  const app = await createApp(config, {
    onQueryBesideTransaction: (violation) => besideTransaction.push(violation),
    clock,
    logger: options.logger ?? createLogger(process.env.SIMGATE_TEST_LOG ?? "silent"),
    onQuery: (sql) => {
      // The NOTIFY that wakes other instances goes out on its own schedule, once per wake-up window
      // after commits (event-wakeups.ts): it belongs to no one request.
      if (!statements.counting || sql.includes("pg_notify(")) return;
      statements.count += 1;
      statements.sql.push(sql);
    },
  });
  afterAll(async () => {
    await app.close();
    await database.drop();
  });

  const raw: Harness["raw"] = ({ body, headers = {}, method = "POST", path = "/graphql" }) =>
    app.handle(
      new Request(`http://simgate.test${path}`, {
        method,
        headers: { "content-type": "application/json", ...headers },
        body: body === undefined ? undefined : JSON.stringify(body),
      }),
    );
  return { app, clock, statements, ...graphqlOver(raw), raw };
}

export interface CountedResponse {
  status: number;
  text: string;
  body: { data?: any; errors?: { message: string; extensions?: Record<string, any> }[]; extensions?: Record<string, any> };
  /** SQL statements the request sent. */
  statements: number;
}

/**
 * For a read: sends it twice and keeps the answer with fewer statements. Work that runs after a
 * commit in the background (a stream's coalesced log read, a webhook result recorded per window)
 * can land in one count; it cannot land in both at the same size.
 */
export async function sendCountedRead(harness: Harness, query: string, variables: Record<string, unknown>, auth: string | null): Promise<CountedResponse> {
  const first = await sendCounted(harness, query, variables, auth);
  const second = await sendCounted(harness, query, variables, auth);
  expect(second.body, "the same read twice").toEqual(first.body);
  return second.statements < first.statements ? second : first;
}

/** Sends one document as `auth` and counts the SQL statements it caused (no-N+1 and refusal-cost checks). */
export async function sendCounted(harness: Harness, query: string, variables: Record<string, unknown>, auth: string | null): Promise<CountedResponse> {
  harness.statements.reset();
  harness.statements.counting = true;
  try {
    const response = await harness.raw({ body: { query, variables }, headers: auth ? { authorization: `Bearer ${auth}` } : {} });
    const text = await response.text();
    return { status: response.status, text, body: JSON.parse(text) as CountedResponse["body"], statements: harness.statements.count };
  } finally {
    harness.statements.counting = false;
  }
}
