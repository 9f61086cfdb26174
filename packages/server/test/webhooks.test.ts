// V5, V6: webhook delivery through the real server and a real HTTP receiver on loopback, on both
// engines. The harness's TestClock moves retries forward; the worker is woken after each move.
import { describe, expect, it } from "vitest";
import { Webhook } from "standardwebhooks";
import { signUp } from "./support/accounts.ts";
import { ownSims } from "./support/sims.ts";
import { startHarness } from "./support/harness.ts";
import { startReceiver, until } from "./support/webhook-receiver.ts";
import { createLogger } from "../src/logger.ts";
import { DEFAULT_RETRY_SCHEDULE_MS } from "@simgate/schema/webhooks/deliveries";
import { loadConfig } from "../src/config.ts";

const logLines: string[] = [];
const logger = createLogger("debug", { write: (line: string) => void logLines.push(line) });
const h = await startHarness({
  logger,
  env: { SIMGATE_WEBHOOK_ALLOW_PRIVATE: "true", SIMGATE_WEBHOOK_TIMEOUT_MS: "1500", SIMGATE_WEBHOOK_POLL_INTERVAL_MS: "50", SIMGATE_WEBHOOK_PER_ENDPOINT_CONCURRENCY: "2" },
});
h.app.webhooks.start();

const CREATE = `mutation($i: CreateWebhookEndpointInput!) { createWebhookEndpoint(input: $i) { endpoint { id url eventTypes enabled } signingSecret userErrors { code field message } } }`;
const DELIVERIES = `query { viewer { webhookEndpoints { id enabled disabledReason deliveries(first: 20) { totalCount edges { node { status attempts lastResponseStatus lastError nextAttemptAt event { type sequence imsi } } } } } } }`;

async function endpointFor(token: string, url: string, eventTypes: string[] = ["SIM_REGISTERED"]) {
  const out = (await h.ok(CREATE, { i: { url, eventTypes } }, token)).createWebhookEndpoint;
  expect(out.userErrors).toEqual([]);
  return out as { endpoint: { id: string }; signingSecret: string };
}

/** Verifies as a receiver whose clock agrees with the server's (the TestClock moves the server's). */
function verifyAsReceiver(secret: string, r: { body: string; headers: Record<string, string> }): unknown {
  const realNow = Date.now;
  const serverNow = h.clock.now().getTime();
  Date.now = () => serverNow;
  try {
    return new Webhook(secret).verify(r.body, r.headers);
  } finally {
    Date.now = realNow;
  }
}

/** A fresh token after the clock moved past the old one's lifetime. */
async function signIn(op: { email: string; password: string; token: string }) {
  const out = await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: op.email, password: op.password } });
  op.token = out.authenticate.token;
}

async function retryNow() {
  h.app.webhooks.wake();
}

describe("V5: delivery, retries and the delivery log", () => {
  it("V5: a receiver answering 500, then timing out, then 200 gets the event exactly as signed (standardwebhooks verify), after the 5 s and 5 min waits", async () => {
    const op = await signUp(h);
    const receiver = await startReceiver();
    receiver.answers = [500, "hang"];
    const { signingSecret } = await endpointFor(op.token, receiver.url);
    expect(signingSecret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    const [sim] = await ownSims(h, op, 1);

    await until(() => receiver.received.length === 1, "first attempt");
    let log = (await h.ok(DELIVERIES, {}, op.token)).viewer.webhookEndpoints[0].deliveries;
    await until(async () => ((log = (await h.ok(DELIVERIES, {}, op.token)).viewer.webhookEndpoints[0].deliveries), log.edges[0].node.lastResponseStatus === 500), "500 recorded");
    const first = log.edges[0].node;
    expect(first).toMatchObject({ status: "PENDING", attempts: 1, lastResponseStatus: 500 });
    const wait = new Date(first.nextAttemptAt).getTime() - h.clock.now().getTime();
    expect(wait).toBeGreaterThan(3_000);
    expect(wait).toBeLessThanOrEqual(5_000);

    h.clock.advance(5_000);
    await retryNow();
    await until(() => receiver.received.length === 2, "second attempt (held)");
    await until(async () => ((log = (await h.ok(DELIVERIES, {}, op.token)).viewer.webhookEndpoints[0].deliveries), /No answer/.test(log.edges[0].node.lastError ?? "")), "timeout recorded");
    expect(log.edges[0].node.lastError).toMatch(/No answer within 1500 ms/);
    receiver.releaseAll();

    h.clock.advance(300_000);
    await retryNow();
    await until(() => receiver.received.length === 3, "third attempt");
    await until(async () => ((log = (await h.ok(DELIVERIES, {}, op.token)).viewer.webhookEndpoints[0].deliveries), log.edges[0].node.status === "SUCCEEDED"), "success recorded");
    expect(log.totalCount).toBe(1);
    expect(log.edges[0].node).toMatchObject({ status: "SUCCEEDED", attempts: 3, lastResponseStatus: 200, nextAttemptAt: null, event: { type: "SIM_REGISTERED", sequence: "1", imsi: sim!.imsi } });

    const last = receiver.received[2]!;
    const verified = verifyAsReceiver(signingSecret, last) as { type: string; data: Record<string, unknown> };
    expect(verified.type).toBe("SIM_REGISTERED");
    expect(verified.data).toMatchObject({ sequence: "1", imsi: sim!.imsi, simId: sim!.id, operatorId: op.operatorId });
    // webhook-id is the event's ID, the same on every attempt (receivers dedupe by it).
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(1);
    expect(last.headers["webhook-signature"]).toMatch(/^v1,[A-Za-z0-9+/]+=*$/);
  });

  it("V5: the backoff schedule is about 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h, then FAILED; SIMGATE_WEBHOOK_RETRY_SCHEDULE (tests) replaces it", () => {
    expect(DEFAULT_RETRY_SCHEDULE_MS).toEqual([5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 36_000_000]);
    expect(loadConfig({ SIMGATE_WEBHOOK_RETRY_SCHEDULE: "10,20" }).SIMGATE_WEBHOOK_RETRY_SCHEDULE).toEqual([10, 20]);
    expect(loadConfig({}).SIMGATE_WEBHOOK_RETRY_SCHEDULE).toBeUndefined();
  });

  it("V5: an endpoint failing for three days is disabled with a reason, its last delivery FAILED, and the primary address gets an EVENT_HANDLER mail", async () => {
    const op = await signUp(h);
    const receiver = await startReceiver();
    receiver.fallback = 503;
    await endpointFor(op.token, receiver.url);
    await ownSims(h, op, 1);
    const total = DEFAULT_RETRY_SCHEDULE_MS.length + 1;
    for (let attempt = 1; attempt <= total; attempt++) {
      await until(() => receiver.received.length === attempt, `attempt ${attempt}`);
      await signIn(op);
      await until(async () => (await h.ok(DELIVERIES, {}, op.token)).viewer.webhookEndpoints[0].deliveries.edges[0].node.attempts === attempt && (await h.ok(DELIVERIES, {}, op.token)).viewer.webhookEndpoints[0].deliveries.edges[0].node.lastResponseStatus === 503, `attempt ${attempt} recorded`);
      if (attempt < total) {
        h.clock.advance(DEFAULT_RETRY_SCHEDULE_MS[attempt - 1]!);
        await retryNow();
      }
    }
    const endpoint = (await h.ok(DELIVERIES, {}, op.token)).viewer.webhookEndpoints[0];
    // 5 s + 5 min + 30 min + 2 h + 5 h + 10 h + 10 h < 3 days: failing, not yet disabled.
    expect(endpoint.enabled).toBe(true);
    expect(endpoint.deliveries.edges[0].node.status).toBe("FAILED");

    h.clock.advance(3 * 24 * 3_600_000);
    await signIn(op);
    await h.ok(`mutation($i: WebhookEndpointInput!) { sendTestWebhook(input: $i) { userErrors { code } } }`, { i: { endpointId: endpoint.id } }, op.token);
    await until(async () => !(await h.ok(DELIVERIES, {}, op.token)).viewer.webhookEndpoints[0].enabled, "endpoint disabled");
    const disabled = (await h.ok(DELIVERIES, {}, op.token)).viewer.webhookEndpoints[0];
    expect(disabled.disabledReason).toMatch(/three days/);
    const mail = await h.ok(`query($to: String) { adminOutbox(to: $to, kind: EVENT_HANDLER, first: 1) { kind to body } }`, { to: op.email }, "test-admin-secret-0123456789abcdef");
    expect(mail.adminOutbox[0]).toMatchObject({ kind: "EVENT_HANDLER", to: [op.email.toLowerCase()] });
    expect(mail.adminOutbox[0].body).toContain(receiver.url);
  }, 60_000);

  it("V5: sendTestWebhook delivers a WEBHOOK_TEST event now; redeliverWebhookEvents queues again every subscribed event after the sequence", async () => {
    const op = await signUp(h);
    const receiver = await startReceiver();
    const { endpoint, signingSecret } = await endpointFor(op.token, receiver.url);
    const ping = (await h.ok(`mutation($i: WebhookEndpointInput!) { sendTestWebhook(input: $i) { delivery { status event { type sequence } } userErrors { code } } }`, { i: { endpointId: endpoint.id } }, op.token)).sendTestWebhook;
    expect(ping.userErrors).toEqual([]);
    expect(ping.delivery.event).toEqual({ type: "WEBHOOK_TEST", sequence: "0" });
    await until(() => receiver.received.length === 1, "test ping");
    expect((verifyAsReceiver(signingSecret, receiver.received[0]!) as { type: string }).type).toBe("WEBHOOK_TEST");

    await ownSims(h, op, 3);
    await until(() => receiver.received.length === 4, "three events");
    const again = (await h.ok(`mutation($i: RedeliverWebhookEventsInput!) { redeliverWebhookEvents(input: $i) { queuedCount userErrors { code } } }`, { i: { endpointId: endpoint.id, afterSequence: "0" } }, op.token)).redeliverWebhookEvents;
    expect(again).toEqual({ queuedCount: 3, userErrors: [] });
    await until(() => receiver.received.length === 7, "three redeliveries");
    const ids = receiver.received.slice(1).map((r) => r.headers["webhook-id"]);
    expect(new Set(ids).size).toBe(3);
  });
});

describe("V5: connections to receivers", () => {
  it("V5: deliveries to one endpoint reuse kept-alive connections (SIMGATE_WEBHOOK_KEEPALIVE_MS): eight events, at most two attempts at a time, at most two connections", async () => {
    const op = await signUp(h);
    const receiver = await startReceiver();
    await endpointFor(op.token, receiver.url);
    for (let i = 0; i < 4; i++) {
      await ownSims(h, op, 2);
      await until(() => receiver.received.length === 2 * (i + 1), `events ${2 * i + 1} and ${2 * i + 2}`);
    }
    expect(new Set(receiver.received.map((r) => r.headers["webhook-id"])).size).toBe(8);
    // A new connection per attempt would be eight.
    expect(receiver.connections).toBeGreaterThan(0);
    expect(receiver.connections).toBeLessThanOrEqual(2);
  });
});

describe("V6: secrets", () => {
  it("V6: after rotateWebhookSecret a delivery carries two signatures, each verifying with its own secret", async () => {
    const op = await signUp(h);
    const receiver = await startReceiver();
    const { endpoint, signingSecret: oldSecret } = await endpointFor(op.token, receiver.url);
    const rotated = (await h.ok(`mutation($i: WebhookEndpointInput!) { rotateWebhookSecret(input: $i) { signingSecret userErrors { code } } }`, { i: { endpointId: endpoint.id } }, op.token)).rotateWebhookSecret;
    expect(rotated.signingSecret).not.toBe(oldSecret);
    await ownSims(h, op, 1);
    await until(() => receiver.received.length === 1, "delivery");
    const r = receiver.received[0]!;
    expect(r.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
    expect(() => verifyAsReceiver(oldSecret, r)).not.toThrow();
    expect(() => verifyAsReceiver(rotated.signingSecret, r)).not.toThrow();

    // 24 hours later only the new secret signs. (The success is recorded first: a jump of the
    // clock past an unrecorded attempt's lease would make it due again, as a killed server's is.)
    await h.app.webhooks.idle();
    h.clock.advance(24 * 3_600_000 + 1000);
    await signIn(op);
    await h.ok(`mutation($i: WebhookEndpointInput!) { sendTestWebhook(input: $i) { userErrors { code } } }`, { i: { endpointId: endpoint.id } }, op.token);
    await until(() => receiver.received.length === 2, "ping");
    const later = receiver.received[1]!;
    expect(later.headers["webhook-signature"]!.split(" ")).toHaveLength(1);
    expect(() => verifyAsReceiver(oldSecret, later)).toThrow();
    expect(() => verifyAsReceiver(rotated.signingSecret, later)).not.toThrow();
  });

  it("V6: the signing secret never appears in the server log, the audit log, the database or a later answer", async () => {
    const op = await signUp(h);
    const receiver = await startReceiver();
    receiver.answers = [500];
    const { endpoint, signingSecret } = await endpointFor(op.token, receiver.url);
    await ownSims(h, op, 1);
    await until(() => receiver.received.length === 1, "failed attempt logged");
    const raw = signingSecret.slice("whsec_".length);
    const audit = JSON.stringify(await h.ok(`query { viewer { auditLog(first: 50) { edges { node { action targetIds } } } } }`, {}, op.token));
    expect(audit).toContain("createWebhookEndpoint");
    const later = JSON.stringify(await h.ok(`query($id: ID!) { node(id: $id) { ... on WebhookEndpoint { url } } viewer { webhookEndpoints { id url } } }`, { id: endpoint.id }, op.token));
    const rows = JSON.stringify(await h.app.db.webhookEndpoint.findMany()) + JSON.stringify(await h.app.db.auditLogEntry.findMany());
    expect(logLines.join("").length).toBeGreaterThan(0);
    for (const where of [logLines.join(""), audit, later, rows]) {
      expect(where).not.toContain(raw);
      expect(where).not.toContain(signingSecret);
    }
  });
});

describe("V5: limits", () => {
  it("V5: an operator has at most 10 endpoints, also when creations race (WEBHOOK_LIMIT_EXCEEDED)", async () => {
    const op = await signUp(h);
    const receiver = await startReceiver();
    const answers = await Promise.all(Array.from({ length: 14 }, () => h.ok(CREATE, { i: { url: receiver.url } }, op.token)));
    const codes = answers.map((a) => a.createWebhookEndpoint.userErrors[0]?.code ?? "OK");
    expect(codes.filter((c) => c === "OK")).toHaveLength(10);
    expect(codes.filter((c) => c === "WEBHOOK_LIMIT_EXCEEDED")).toHaveLength(4);
    expect((await h.ok(`query { viewer { webhookEndpoints { id } } }`, {}, op.token)).viewer.webhookEndpoints).toHaveLength(10);
  });
});
