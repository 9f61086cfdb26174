// A real Simgate server per test file: fresh SQLite database in a temp dir, listening on a free
// loopback port, closed and removed after the file. Test code may import server code; the SDK may not.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll } from "vitest";
import { createApp, type App, type AppOptions } from "../../../server/src/app.ts";
import { loadConfig } from "../../../server/src/config.ts";
import { createLogger } from "../../../server/src/logger.ts";
import { createSimgateClient, type SimgateClient, type SimgateClientOptions, type UserCredentials } from "../../src/index.ts";

export const ADMIN_SECRET = "sdk-test-admin-secret-0123456789";

export interface TestServer {
  app: App;
  port: number;
  url: string;
  /** A client with the admin secret as its token. */
  adminClient: SimgateClient;
  /** A client for `url` (default: the server) with retries kept short for tests. */
  client(connection?: { token?: string; authKey?: { id: string; secret: string }; user?: UserCredentials }, options?: SimgateClientOptions & { url?: string }): SimgateClient;
}

/** Fast retries: tests must not wait seconds for backoff. */
export const testRetry = { maxAttempts: 4, baseDelayMs: 5, maxDelayMs: 20 };

export async function startServer(options: { env?: Record<string, string>; clock?: AppOptions["clock"] } = {}): Promise<TestServer> {
  const dir = mkdtempSync(join(tmpdir(), "simgate-sdk-test-"));
  const config = loadConfig({
    DATABASE_URL: `file:${join(dir, "test.db")}`,
    SIMGATE_ADMIN_SECRET: ADMIN_SECRET,
    // Cheap hashing keeps tests fast; the code path is the same.
    SIMGATE_KDF_MEMORY_KIB: "1024",
    SIMGATE_KDF_ITERATIONS: "1",
    PORT: "0",
    LOG_LEVEL: "silent",
    // The SDK's tests sign in many times from one address: rate limits off unless a test sets them.
    SIMGATE_RATE_LIMIT_PER_IP: "0",
    SIMGATE_RATE_LIMIT_PER_ACCOUNT: "0",
    SIMGATE_RATE_LIMIT_PER_CLIENT: "0",
    SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP: "0",
    SIMGATE_RATE_LIMIT_FAILED_CREDENTIALS_PER_IP: "0",
    ...options.env,
  });
  const app = await createApp(config, { logger: createLogger(process.env.SIMGATE_TEST_LOG ?? "silent"), clock: options.clock });
  const port = await app.listen();
  afterAll(async () => {
    await app.close();
    rmSync(dir, { recursive: true, force: true });
  });
  const url = `http://127.0.0.1:${port}/graphql`;
  const client: TestServer["client"] = (connection = {}, { url: target = url, ...clientOptions } = {}) =>
    createSimgateClient(
      connection.authKey
        ? { url: target, authKey: connection.authKey }
        : connection.user
          ? { url: target, user: connection.user }
          : { url: target, token: connection.token },
      {
        retry: testRetry,
        ...clientOptions,
      },
    );
  return { app, port, url, adminClient: client({ token: ADMIN_SECRET }), client };
}
