// V5–V7 through the SDK: endpoint methods round-trip with typed results (the signing secret once),
// and verifyWebhook accepts a real delivery captured by a loopback receiver, typed by its `type`,
// and refuses a tampered, re-signed-with-another-secret or stale one.
import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { SimgateNotFoundError, SimgateWebhookVerificationError, verifyWebhook, type SimgateWebhookEvent } from "../src/index.ts";
import { ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { startServer, type TestServer } from "./support/server.ts";

interface Captured {
  body: string;
  headers: IncomingHttpHeaders;
}

let server: TestServer;
let op: TestOperator;
const captured: Captured[] = [];
let receiverUrl: string;

beforeAll(async () => {
  // Loopback receivers over plain http are allowed only with SIMGATE_WEBHOOK_ALLOW_PRIVATE (V7).
  server = await startServer({ env: { SIMGATE_WEBHOOK_ALLOW_PRIVATE: "true", SIMGATE_WEBHOOK_POLL_INTERVAL_MS: "50" } });
  op = await signUp(server);
  const receiver = createServer((req, res) => {
    let body = "";
    req.setEncoding("utf8");
    req.on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      captured.push({ body, headers: req.headers });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, "127.0.0.1", resolve));
  afterAll(() => new Promise<void>((resolve) => receiver.close(() => resolve())));
  receiverUrl = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/hook`;
});

async function delivered(match: (c: Captured) => boolean, timeoutMs = 10_000): Promise<Captured> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = captured.find(match);
    if (found) return found;
    if (Date.now() > deadline) throw new Error("no matching delivery arrived");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

describe("webhooks (V5–V7)", () => {
  it("V5, V6: create (secret shown once), list, update, rotateSecret, sendTest, deliveries, redeliver, delete", async () => {
    const created = ok(await op.client.webhooks.create({ url: receiverUrl, description: "ops", eventTypes: ["SIM_UPDATED"] }));
    expect(created.signingSecret).toMatch(/^whsec_[A-Za-z0-9+/=]+$/);
    expect(created.endpoint).toMatchObject({ url: receiverUrl, description: "ops", enabled: true, disabledReason: null, eventTypes: ["SIM_UPDATED"] });
    const endpointId = created.endpoint.id;

    expect(await op.client.webhooks.list()).toEqual([created.endpoint]);
    const updated = ok(await op.client.webhooks.update({ endpointId, eventTypes: [], enabled: false }));
    expect(updated).toMatchObject({ id: endpointId, eventTypes: [], enabled: false });
    expect(JSON.stringify(await op.client.webhooks.list())).not.toContain(created.signingSecret);

    const rotated = ok(await op.client.webhooks.rotateSecret(endpointId));
    expect(rotated.signingSecret).toMatch(/^whsec_/);
    expect(rotated.signingSecret).not.toBe(created.signingSecret);

    const ping = ok(await op.client.webhooks.sendTest(endpointId));
    expect(ping).toMatchObject({ status: "PENDING", event: { type: "WEBHOOK_TEST", sequence: "0" } });
    const log = await op.client.webhooks.deliveries({ endpointId });
    expect(log.nodes.map((d) => d.id)).toEqual([ping.id]);
    expect(await op.client.webhooks.deliveries.collect({ endpointId, status: "FAILED" })).toEqual([]);

    expect(ok(await op.client.webhooks.redeliver({ endpointId, afterSequence: "0" }))).toBe(0);
    expect(await op.client.webhooks.create({ url: "not a url" })).toMatchObject({ ok: false, userErrors: [{ code: "WEBHOOK_URL_INVALID", field: ["input", "url"] }] });

    expect(ok(await op.client.webhooks.delete(endpointId))).toBe(endpointId);
    expect(await op.client.webhooks.list()).toEqual([]);
    await expect(op.client.webhooks.deliveries({ endpointId })).rejects.toBeInstanceOf(SimgateNotFoundError);
  });

  it("V5: verifyWebhook accepts a real delivery, typed by `type`, and refuses a tampered, foreign-secret or stale one", async () => {
    const other = await signUp(server);
    const { endpoint, signingSecret } = ok(await other.client.webhooks.create({ url: receiverUrl, eventTypes: ["SIM_REGISTERED"] }));
    const [sim] = await ownSims(server, other, 1);
    const delivery = await delivered((c) => c.body.includes(sim!.imsi));

    const event: SimgateWebhookEvent = verifyWebhook(delivery.body, delivery.headers, signingSecret);
    expect(event.type).toBe("SIM_REGISTERED");
    if (event.type !== "SIM_REGISTERED") return;
    // Narrowed: data has the log's fields, the sequence and the SIM's ID.
    expect(event.data).toMatchObject({ type: "SIM_REGISTERED", sequence: "1", imsi: sim!.imsi, simId: sim!.id, operatorId: other.operatorId });
    expect(event.data.id).toBe(delivery.headers["webhook-id"]);
    // The same delivery through Fetch's Headers and as bytes.
    expect(verifyWebhook(new TextEncoder().encode(delivery.body), new Headers(delivery.headers as Record<string, string>), signingSecret)).toEqual(event);

    const refusals: [string, () => unknown][] = [
      ["tampered body", () => verifyWebhook(delivery.body.replace(sim!.imsi, "440100000000000"), delivery.headers, signingSecret)],
      ["another secret", () => verifyWebhook(delivery.body, delivery.headers, `whsec_${btoa("another secret, 32 bytes long!!")}`)],
      ["no signature", () => verifyWebhook(delivery.body, { ...delivery.headers, "webhook-signature": undefined }, signingSecret)],
      [
        "a signature from ten minutes ago",
        () => {
          const at = new Date(Date.now() - 10 * 60_000);
          const signature = new Webhook(signingSecret).sign(String(delivery.headers["webhook-id"]), at, delivery.body);
          return verifyWebhook(delivery.body, { ...delivery.headers, "webhook-timestamp": String(Math.floor(at.getTime() / 1000)), "webhook-signature": signature }, signingSecret);
        },
      ],
    ];
    for (const [what, verify] of refusals) {
      expect(verify, what).toThrow(SimgateWebhookVerificationError);
      try {
        verify();
      } catch (error) {
        expect((error as SimgateWebhookVerificationError).code, what).toBe("WEBHOOK_VERIFICATION_FAILED");
      }
    }

    // sendTest's ping: WEBHOOK_TEST, whose data has no sequence.
    ok(await other.client.webhooks.sendTest(endpoint.id));
    const pinged = await delivered((c) => c.body.includes("WEBHOOK_TEST") && c.body.includes(other.operatorId));
    const ping = verifyWebhook(pinged.body, pinged.headers, signingSecret);
    expect(ping).toMatchObject({ type: "WEBHOOK_TEST", data: { sequence: "0", operatorId: other.operatorId } });
    // A success is recorded after the receiver's answer reaches the server (with others that
    // answered within SIMGATE_EVENT_WAKE_COALESCE_MS): the log may trail the receipt briefly.
    let log = await other.client.webhooks.deliveries.collect({ endpointId: endpoint.id, status: "SUCCEEDED" });
    for (let i = 0; i < 50 && log.length < 2; i += 1) {
      await new Promise((r) => setTimeout(r, 100));
      log = await other.client.webhooks.deliveries.collect({ endpointId: endpoint.id, status: "SUCCEEDED" });
    }
    expect(log.map((d) => d.event.type).sort()).toEqual(["SIM_REGISTERED", "WEBHOOK_TEST"]);
  });
});
