// One command runs everything: the rule modules' unit tests once, and the HTTP suite twice,
// on embedded SQLite and on PostgreSQL (SIMGATE_TEST_PG_URL, default the local server).
import { createRequire } from "node:module";
import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

// graphql 16 ships CJS and ESM side by side; dependencies load the CJS build through Node, so our
// sources must get the same copy or schemas mix "realms".
const graphqlCjs = createRequire(new URL("./packages/schema/package.json", import.meta.url)).resolve("graphql");

const httpSuite = ["packages/server/test/**/*.test.ts"];
// Tests that assert latency under load (`*.load.test.ts`) run in a later group, one file at a
// time, once everything else has finished: the machine is then theirs, so a figure measures the
// server, not the other test files sharing its cores.
const loadSuite = ["packages/server/test/**/*.load.test.ts"];
// They also get a fresh worker: a probe timed in a process that ran other files first would count
// that process's garbage collection as the server's.
const load = (groupOrder: number) => ({ sequence: { groupOrder }, fileParallelism: false, maxWorkers: 1, isolate: true });

export default defineConfig({
  resolve: { alias: [{ find: /^graphql$/, replacement: graphqlCjs }] },
  test: {
    testTimeout: 30_000,
    // Files of a project run two at a time: most of a file's time is spent waiting on PostgreSQL,
    // SQLite or a server process, so a second file fills the idle core (vitest's default on a
    // 2-core machine is one). Load tests keep the machine to themselves (`load` below).
    maxWorkers: Number(process.env.SIMGATE_TEST_WORKERS) || Math.max(2, availableParallelism() - 1),
    // A worker imports the sources once and runs its files one after another in that module graph:
    // re-importing them for every file took more than half of the suite's time. So a test file
    // leaves nothing behind in the process: it starts its own app and database, does not change
    // process.env, and stops the servers and timers it started.
    isolate: false,
    // Server processes run what `pnpm start` runs: the compiled bundle, brought up to date once here.
    globalSetup: ["scripts/server-build.mjs"],
    hookTimeout: 60_000,
    projects: [
      { extends: true, test: { name: "unit", include: ["packages/schema/test/**/*.test.ts"] } },
      { extends: true, test: { name: "sqlite", include: httpSuite, exclude: loadSuite, env: { SIMGATE_TEST_DB: "sqlite" } } },
      { extends: true, test: { name: "postgres", include: httpSuite, exclude: loadSuite, env: { SIMGATE_TEST_DB: "postgres" } } },
      { extends: true, test: { name: "sqlite-load", include: loadSuite, env: { SIMGATE_TEST_DB: "sqlite" }, ...load(1) } },
      { extends: true, test: { name: "postgres-load", include: loadSuite, env: { SIMGATE_TEST_DB: "postgres" }, ...load(2) } },
      // The SDK against a real listening server on the embedded database.
      { extends: true, test: { name: "sdk", include: ["packages/sdk/test/**/*.test.ts"] } },
    ],
  },
});
