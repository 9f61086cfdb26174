// examples/bulk-terminate-by-tag.ts against a real server: as a function, and as the script an
// integrator runs (auth key from the environment).
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { beforeAll, describe, expect, it } from "vitest";
import { terminateByTag } from "../../../examples/bulk-terminate-by-tag.ts";
import type { Sim } from "../src/index.ts";
import { ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { startServer, type TestServer } from "./support/server.ts";

const run = promisify(execFile);
const repoRoot = new URL("../../..", import.meta.url).pathname;

let server: TestServer;
let op: TestOperator;
let retired: Sim[];
let active: Sim[];

beforeAll(async () => {
  server = await startServer();
  op = await signUp(server);
  const sims = await ownSims(server, op, 7);
  retired = sims.slice(0, 5);
  active = sims.slice(5);
  for (const sim of retired) ok(await op.client.sims.update({ simId: sim.id, tags: [{ name: "fleet", value: "retired" }] }));
  for (const sim of active) ok(await op.client.sims.update({ simId: sim.id, tags: [{ name: "fleet", value: "active" }] }));
  ok(await op.client.sims.setProtection({ simId: retired[0]!.id, enabled: false }));
  ok(await op.client.sims.activate(retired[1]!.id));
});

describe("examples/bulk-terminate-by-tag.ts", () => {
  it("a dry run counts the tagged SIMs and changes nothing", async () => {
    const lines: string[] = [];
    const summary = await terminateByTag(op.client, { name: "fleet", value: "retired" }, { dryRun: true, log: (l) => lines.push(l) });
    expect(summary).toMatchObject({ matched: 5, terminated: 0 });
    expect(lines[0]).toBe("5 SIM(s) tagged fleet=retired can be terminated (dry run: nothing changes).");
    expect((await op.client.sims.getById(retired[2]!.id))?.terminationProtected).toBe(true);
  });

  it("S6: the script signs in with an auth key and terminates every tagged SIM, protection first", async () => {
    const key = ok(await op.client.auth.createAuthKey());
    const { stdout } = await run(process.execPath, ["--import", "tsx", "examples/bulk-terminate-by-tag.ts", "fleet", "retired"], {
      cwd: repoRoot,
      env: { ...process.env, SIMGATE_URL: server.url, SIMGATE_AUTH_KEY_ID: key.authKeyId, SIMGATE_AUTH_KEY: key.authKey },
    });
    expect(stdout).toContain("5 SIM(s) tagged fleet=retired can be terminated.");
    expect(stdout).toContain("batch 1: 5 SIM(s); 5 terminated, 0 failed, 5/5 seen");
    expect(stdout).toContain("Done: 5 terminated, 0 failed.");
    for (const sim of retired) expect((await op.client.sims.getById(sim.id))?.status).toBe("TERMINATED");
    for (const sim of active) expect((await op.client.sims.getById(sim.id))?.status).toBe("READY");
    const terminations = await op.client.audit.collect({ filter: { action: "terminateSims" } });
    expect(terminations.map((e) => e.actor)).toEqual([`authKey:${key.authKeyId}`]);
  });

  it("the script explains its usage without arguments", async () => {
    const failure = await run(process.execPath, ["--import", "tsx", "examples/bulk-terminate-by-tag.ts"], { cwd: repoRoot }).catch((e: { code: number; stderr: string }) => e);
    expect(failure).toMatchObject({ code: 2 });
    expect((failure as { stderr: string }).stderr).toContain("usage:");
  });
});
