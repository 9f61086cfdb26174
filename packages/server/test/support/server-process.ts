// Real server processes for tests that need more than one instance, or need to kill one
// (`pnpm start`'s command, scripts/start.mjs: the compiled server). Each speaks HTTP on
// its own port; `client` has the gql/ok/raw shape the fixture helpers (accounts.ts, sims.ts,
// transfers.ts) use, so the same fixtures drive a child process.
import { spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { afterAll } from "vitest";
import { ADMIN_SECRET, graphqlOver, type Harness } from "./harness.ts";
import { startArgs } from "./start-command.ts";

const root = resolve(import.meta.dirname, "../../../..");

export interface ServerProcess {
  port: number;
  pid: number;
  child: ChildProcess;
  /** The fixture helpers' view of this server (only gql, ok and raw are present). */
  client: Harness;
  /** stdout and stderr so far (JSON log lines), for failure messages. */
  output(): string;
  /** SIGKILL, then waits for the process to be gone. */
  kill(): Promise<void>;
  /** SIGTERM (graceful shutdown), then waits for the exit. */
  stop(): Promise<void>;
}

const running = new Set<ChildProcess>();
// Never leave a server behind, whatever happens to the test file.
process.once("exit", () => {
  for (const child of running) child.kill("SIGKILL");
});

/** The env every test server gets: admin secret, cheap hashing (as in harness.ts), quiet logs. */
export function serverEnv(databaseUrl: string, env: Record<string, string> = {}): Record<string, string> {
  return {
    DATABASE_URL: databaseUrl,
    PORT: "0",
    HOST: "127.0.0.1",
    SIMGATE_ADMIN_SECRET: ADMIN_SECRET,
    SIMGATE_KDF_MEMORY_KIB: "1024",
    SIMGATE_KDF_ITERATIONS: "1",
    DATABASE_POOL_SIZE: "10",
    LOG_LEVEL: "info",
    // As in harness.ts: rate limits off unless a test sets them (rate-limit.test.ts).
    SIMGATE_RATE_LIMIT_PER_IP: "0",
    SIMGATE_RATE_LIMIT_PER_ACCOUNT: "0",
    SIMGATE_RATE_LIMIT_PER_CLIENT: "0",
    SIMGATE_RATE_LIMIT_ANONYMOUS_PER_IP: "0",
    SIMGATE_RATE_LIMIT_FAILED_CREDENTIALS_PER_IP: "0",
    ...env,
  };
}

/** Starts a server on the database and resolves once it logs "Simgate listening" with its port. */
export async function startServerProcess(databaseUrl: string, env: Record<string, string> = {}): Promise<ServerProcess> {
  const child = spawn(process.execPath, ["--import", "./packages/server/test/support/exit-with-parent.mjs", ...startArgs], {
    cwd: root,
    env: { ...process.env, ...serverEnv(databaseUrl, env) },
    stdio: ["pipe", "pipe", "pipe"], // stdin stays open while this process lives (exit-with-parent.mjs)
  });
  running.add(child);
  let out = "";
  const exited = new Promise<void>((done) => child.once("exit", () => (running.delete(child), done())));
  child.stderr!.on("data", (c: Buffer) => (out += c.toString()));
  let listening = false;
  const port = await new Promise<number>((done, fail) => {
    child.stdout!.on("data", (c: Buffer) => {
      out += c.toString();
      // Once listening, only collect: splitting the whole log per chunk grows quadratically under load.
      if (listening) return;
      const line = out.split("\n").find((l) => l.includes("Simgate listening"));
      if (line) {
        listening = true;
        done((JSON.parse(line) as { port: number }).port);
      }
    });
    child.once("exit", (code, signal) => fail(new Error(`server exited ${code ?? signal} before listening:\n${out}`)));
  });
  const base = `http://127.0.0.1:${port}`;
  const raw: Harness["raw"] = ({ body, headers = {}, method = "POST", path = "/graphql" }) =>
    fetch(`${base}${path}`, {
      method,
      headers: { "content-type": "application/json", ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  const { gql, ok } = graphqlOver(raw, ` from :${port}`);
  const signal = async (name: NodeJS.Signals) => {
    if (child.exitCode === null && child.signalCode === null) child.kill(name);
    await exited;
  };
  return {
    port,
    pid: child.pid!,
    child,
    // The fixtures only call gql/ok (and raw); the in-process parts of a Harness do not exist here.
    client: { gql, ok, raw } as unknown as Harness,
    output: () => out,
    kill: () => signal("SIGKILL"),
    stop: () => signal("SIGTERM"),
  };
}

/** Stops every server this file started once it is done (SIGKILL: their state is not the point then). */
export function killServersAfterAll(): void {
  afterAll(async () => {
    await Promise.all(
      [...running].map(
        (child) =>
          new Promise<void>((done) => {
            if (child.exitCode !== null || child.signalCode !== null) return done();
            child.once("exit", () => done());
            child.kill("SIGKILL");
          }),
      ),
    );
  });
}
