// `pnpm start` serves compiled JavaScript (scripts/server-build.mjs): from a checkout with no build
// it builds and serves, and a build that no longer matches what it was made from is rebuilt
// before anything is served. Each case builds into its own folder (SIMGATE_BUILD_DIR), as a fresh
// clone would, so the shared build the other tests use is never touched.
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { repoRoot, startArgs } from "./support/start-command.ts";
import { testEngine } from "./support/test-database.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

/** Runs `pnpm start`'s command with its build in `buildDir` until /readyz answers; returns stderr and the answer. */
async function startUntilReady(buildDir: string): Promise<{ stderr: string; ready: { status: number; body: unknown }}> {
  const data = mkdtempSync(join(tmpdir(), "simgate-start-build-db-"));
  dirs.push(data);
  const child = spawn(process.execPath, startArgs, {
    cwd: repoRoot,
    env: { ...process.env, SIMGATE_BUILD_DIR: buildDir, PORT: "0", HOST: "127.0.0.1", DATABASE_URL: `file:${join(data, "t.db")}`, SIMGATE_ADMIN_SECRET: "", NODE_OPTIONS: "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  let stderr = "";
  child.stderr.on("data", (c: Buffer) => (stderr += c.toString()));
  try {
    const port = await new Promise<number>((done, fail) => {
      child.stdout.on("data", (c: Buffer) => {
        out += c.toString();
        const line = out.split("\n").find((l) => l.includes("Simgate listening"));
        if (line) done((JSON.parse(line) as { port: number }).port);
      });
      child.once("exit", (code) => fail(new Error(`exited ${code}:\n${out}\n${stderr}`)));
    });
    const res = await fetch(`http://127.0.0.1:${port}/readyz`);
    return { stderr, ready: { status: res.status, body: await res.json() } };
  } finally {
    const exited = new Promise((done) => child.once("exit", done));
    child.kill("SIGTERM");
    await exited;
  }
}

describe.runIf(testEngine === "sqlite")("pnpm start serves the compiled server", () => {
  const buildDir = mkdtempSync(join(tmpdir(), "simgate-start-build-"));
  dirs.push(buildDir);

  it("with no build yet, it builds JavaScript without a TypeScript loader and serves /readyz", { timeout: 90_000 }, async () => {
    expect(existsSync(join(buildDir, "main.mjs"))).toBe(false);
    const first = await startUntilReady(buildDir);
    expect(first.stderr).toMatch(/simgate: built .*main\.mjs \(no build yet\)/);
    expect(first.ready.status).toBe(200);
    const bundle = readFileSync(join(buildDir, "main.mjs"), "utf8");
    // Compiled: no TypeScript import is left for a loader to resolve.
    expect(bundle).not.toMatch(/from\s+["'][^"']+\.ts["']/);
    const stamp = JSON.parse(readFileSync(join(buildDir, "build-stamp.json"), "utf8")) as { inputs: Record<string, string> };
    expect(Object.keys(stamp.inputs)).toEqual(expect.arrayContaining(["packages/server/src/main.ts", "pnpm-lock.yaml", "packages/schema/src/db/generated/sqlite/client.ts"]));

    // A current build is served as it is.
    const second = await startUntilReady(buildDir);
    expect(second.stderr).not.toContain("simgate: built");
    expect(second.ready.status).toBe(200);
  });

  it("a build that differs from its sources or from what was built is rebuilt before serving", { timeout: 90_000 }, async () => {
    const stampPath = join(buildDir, "build-stamp.json");
    const stamp = JSON.parse(readFileSync(stampPath, "utf8")) as { inputs: Record<string, string> };
    // As if packages/server/src/main.ts had been edited after the build.
    stamp.inputs["packages/server/src/main.ts"] = "0".repeat(64);
    writeFileSync(stampPath, JSON.stringify(stamp));
    const afterEdit = await startUntilReady(buildDir);
    expect(afterEdit.stderr).toMatch(/\(packages\/server\/src\/main\.ts changed\)/);
    expect(afterEdit.ready.status).toBe(200);

    // A bundle changed by hand is not served either.
    const main = join(buildDir, "main.mjs");
    writeFileSync(main, `${readFileSync(main, "utf8")}\nthrow new Error("tampered");\n`);
    const afterTamper = await startUntilReady(buildDir);
    expect(afterTamper.stderr).toMatch(/\(main\.mjs differs from the build\)/);
    expect(afterTamper.ready.status).toBe(200);
    expect(readFileSync(main, "utf8")).not.toContain("tampered");
  });
});
