// examples/watch-sims.ts and examples/webhook-receiver.ts run as an integrator runs them (their own
// processes, credentials from the environment) against a real server process on both engines.
import { spawn, type ChildProcess } from "node:child_process";
import { createServer } from "node:net";
import type { AddressInfo } from "node:net";
import { resolve } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { killServersAfterAll, startServerProcess } from "./support/server-process.ts";
import { ownSims, simAction } from "./support/sims.ts";
import { createTestDatabase } from "./support/test-database.ts";
import { until } from "./support/webhook-receiver.ts";

const root = resolve(import.meta.dirname, "../../..");
const database = await createTestDatabase();
killServersAfterAll();
const server = await startServerProcess(database.url, { SIMGATE_WEBHOOK_ALLOW_PRIVATE: "true", SIMGATE_WEBHOOK_POLL_INTERVAL_MS: "100" });
const base = `http://127.0.0.1:${server.port}`;
const h = server.client;
const examples: ChildProcess[] = [];
afterAll(async () => {
  for (const child of examples) if (child.exitCode === null) child.kill("SIGKILL");
  await server.kill();
  await database.drop();
});

interface Example {
  stdout: string[];
  stderr(): string;
  child: ChildProcess;
}

function runExample(script: string, args: string[], env: Record<string, string>): Example {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd: root, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
  examples.push(child);
  const stdout: string[] = [];
  let partial = "";
  let stderr = "";
  child.stdout!.on("data", (chunk: Buffer) => {
    const lines = (partial + chunk.toString()).split("\n");
    partial = lines.pop()!;
    stdout.push(...lines);
  });
  child.stderr!.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return { stdout, stderr: () => stderr, child };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((done) => probe.listen(0, "127.0.0.1", done));
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((done) => probe.close(() => done()));
  return port;
}

const op = await signUp(h);
const key = (await h.ok(`mutation { createAuthKey { authKeyId authKey userErrors { code } } }`, {}, op.token)).createAuthKey;
const credentials = { SIMGATE_URL: `${base}/graphql`, SIMGATE_AUTH_KEY_ID: key.authKeyId as string, SIMGATE_AUTH_KEY: key.authKey as string };

async function latestSequence(): Promise<string> {
  const log = (await h.ok(`query { viewer { events(first: 1000) { edges { node { sequence } } } } }`, {}, op.token)).viewer.events.edges as { node: { sequence: string } }[];
  return log.at(-1)?.node.sequence ?? "0";
}

describe("examples/watch-sims.ts", () => {
  it("V4: signed in with an auth key, prints each SIM status change live over SSE with its cause and actor, in order; replays the changes after --after", async () => {
    const [a, b] = await ownSims(h, op, 2);
    // From the operator's latest event on, so the first change cannot come before the stream is open.
    const latest = await latestSequence();
    const watch = runExample("examples/watch-sims.ts", ["--after", latest], credentials);
    await until(() => watch.stdout.includes(`watching SIM status changes after event ${latest}`), `the watcher to start (${watch.stderr()})`);

    expect((await simAction(h, op, "activateSim", a!.id)).userErrors).toEqual([]);
    expect((await simAction(h, op, "suspendSim", a!.id)).userErrors).toEqual([]);
    expect((await simAction(h, op, "activateSim", b!.id)).userErrors).toEqual([]);
    const changes = () => watch.stdout.filter((l) => l.startsWith("#"));
    await until(() => changes().length === 3, `three changes printed (got ${JSON.stringify(watch.stdout)}; stderr ${watch.stderr()})`);
    const actor = `(OPERATOR, by ${op.email.toLowerCase()})`;
    expect(changes().map((l) => l.replace(/^#\d+ \S+ /, ""))).toEqual([
      `${a!.imsi} READY -> ACTIVE ${actor}`,
      `${a!.imsi} ACTIVE -> SUSPENDED ${actor}`,
      `${b!.imsi} READY -> ACTIVE ${actor}`,
    ]);
    watch.child.kill("SIGTERM");

    // From the first change's sequence on: the two after it, replayed.
    const first = /^#(\d+)/.exec(changes()[0]!)![1]!;
    const replay = runExample("examples/watch-sims.ts", ["--after", first], credentials);
    await until(() => replay.stdout.filter((l) => l.startsWith("#")).length === 2, `two replayed changes (${replay.stderr()})`);
    expect(replay.stdout.filter((l) => l.startsWith("#"))).toEqual(changes().slice(1));
    replay.child.kill("SIGTERM");
  }, 60_000);

  it("the script explains its usage without credentials", async () => {
    const bare = runExample("examples/watch-sims.ts", [], { SIMGATE_URL: "", SIMGATE_AUTH_KEY_ID: "", SIMGATE_AUTH_KEY: "" });
    const code = await new Promise<number | null>((done) => bare.child.once("exit", done));
    expect(code).toBe(2);
    expect(bare.stderr()).toContain("usage:");
  });
});

describe("examples/webhook-receiver.ts", () => {
  it("V5: verifies each delivery with standardwebhooks, answers 2xx (the log says SUCCEEDED), handles each event once and skips redelivered ones by webhook-id; a forged request gets 401", async () => {
    const port = await freePort();
    const created = (
      await h.ok(
        `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id } signingSecret userErrors { code } } }`,
        { i: { url: `http://127.0.0.1:${port}/simgate`, eventTypes: ["SIM_STATUS_CHANGED"] } },
        op.token,
      )
    ).createWebhookEndpoint;
    expect(created.userErrors).toEqual([]);
    const receiver = runExample("examples/webhook-receiver.ts", [], { SIMGATE_WEBHOOK_SECRET: created.signingSecret, PORT: String(port) });
    await until(() => receiver.stdout.includes(`listening on http://127.0.0.1:${port}/`), `the receiver to listen (${receiver.stderr()})`);

    const [sim] = await ownSims(h, op, 1);
    const before = await latestSequence();
    expect((await simAction(h, op, "activateSim", sim!.id)).userErrors).toEqual([]);
    expect((await simAction(h, op, "deactivateSim", sim!.id)).userErrors).toEqual([]);
    const handled = () => receiver.stdout.filter((l) => l.startsWith("handled "));
    await until(() => handled().length === 2, `two events handled (${JSON.stringify(receiver.stdout)} ${receiver.stderr()})`);
    // V5 promises at-least-once delivery, not order: sort by the sequence each line names.
    const bySequence = (l: string) => Number(/#(\d+)/.exec(l)?.[1]);
    const inOrder = [...handled()].sort((a, b) => bySequence(a) - bySequence(b));
    expect(inOrder.map((l) => l.replace(/#\d+/, "#n").replace(/ \(.*\)$/, ""))).toEqual([
      `handled SIM_STATUS_CHANGED #n ${sim!.imsi} READY -> ACTIVE`,
      `handled SIM_STATUS_CHANGED #n ${sim!.imsi} ACTIVE -> INACTIVE`,
    ]);
    const LOG = `query { viewer { webhookEndpoints { deliveries(first: 10) { edges { node { status lastResponseStatus } } } } } }`;
    await until(async () => {
      const edges = (await h.ok(LOG, {}, op.token)).viewer.webhookEndpoints[0].deliveries.edges as { node: { status: string } }[];
      return edges.length === 2 && edges.every((e) => e.node.status === "SUCCEEDED");
    }, "both deliveries SUCCEEDED");

    // The same events again, with the same webhook-ids: answered, not handled twice.
    const again = await h.ok(
      `mutation($i: RedeliverWebhookEventsInput!) { redeliverWebhookEvents(input: $i) { queuedCount userErrors { code } } }`,
      { i: { endpointId: created.endpoint.id, afterSequence: before } },
      op.token,
    );
    expect(again.redeliverWebhookEvents).toEqual({ queuedCount: 2, userErrors: [] });
    await until(() => receiver.stdout.filter((l) => l.startsWith("duplicate ")).length === 2, "two duplicates skipped");
    expect(handled()).toHaveLength(2);

    const forged = await fetch(`http://127.0.0.1:${port}/simgate`, {
      method: "POST",
      headers: { "content-type": "application/json", "webhook-id": "msg_forged", "webhook-timestamp": String(Math.floor(Date.now() / 1000)), "webhook-signature": "v1,AAAA" },
      body: JSON.stringify({ type: "SIM_STATUS_CHANGED", timestamp: new Date().toISOString(), data: {} }),
    });
    expect(forged.status).toBe(401);
    expect(handled()).toHaveLength(2);
  }, 60_000);
});
