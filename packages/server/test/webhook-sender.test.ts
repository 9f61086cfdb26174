// V5, V6: the sender's thread (webhooks/sender.ts) signs and POSTs attempts off the main thread.
// What reaches a receiver must verify with the endpoint's secrets, and nothing that goes wrong in
// the thread may throw into the worker: it comes back as a failed attempt, retried on V5's schedule.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook } from "standardwebhooks";
import { afterAll, afterEach, expect, it } from "vitest";
import { newSigningSecret, sealSecret } from "@simgate/schema/webhooks/secret-box";
import type { Logger } from "../src/logger.ts";
import { WebhookSender } from "../src/webhooks/sender.ts";

const received: { headers: Record<string, string>; body: string }[] = [];
let hold: ((res: ServerResponse) => void) | null = null;
const server = createServer((req: IncomingMessage, res) => {
  let body = "";
  req.on("data", (c: Buffer) => (body += c.toString()));
  req.on("end", () => {
    received.push({ headers: req.headers as Record<string, string>, body });
    if (hold) hold(res);
    else res.writeHead(204).end();
  });
});
await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
afterAll(() => new Promise<void>((r) => (server.closeAllConnections(), server.close(() => r()))));

const key = randomBytes(32);
const errors: unknown[] = [];
const logger = { error: (...args: unknown[]) => errors.push(args), warn: () => {}, info: () => {} } as unknown as Logger;
let sender: WebhookSender;
const open = () => (sender = new WebhookSender({ timeoutMs: 2000, allowPrivate: true, keepAliveMs: 1000, encryptionKey: key }, logger));
afterEach(async () => {
  hold = null;
  received.length = 0;
  await sender?.close();
});

it("V6: the thread opens the sealed secrets and signs with each; the receiver verifies the body exactly as sent with either", async () => {
  open();
  const [current, previous] = [newSigningSecret(), newSigningSecret()];
  const body = JSON.stringify({ type: "SIM_UPDATED", data: { imsi: "440103123456789", note: "ü ✓" } });
  const at = Date.UTC(2026, 11, 1, 12, 0, 0);
  const result = await sender.send({ url, endpointId: "ep-1", sealedSecrets: [sealSecret(key, "ep-1", current), sealSecret(key, "ep-1", previous)], messageId: "msg_1", at, body });
  expect(result).toEqual({ ok: true, status: 204, error: null });
  const [got] = received;
  expect(got!.body).toBe(body);
  expect(got!.headers["webhook-id"]).toBe("msg_1");
  expect(got!.headers["webhook-timestamp"]).toBe(String(at / 1000));
  expect(got!.headers["webhook-signature"]!.split(" ")).toHaveLength(2);
  // Verification checks the timestamp against the clock: verify as of the signing time.
  for (const secret of [current, previous]) {
    const verify = () => new Webhook(secret).verify(got!.body, got!.headers);
    const realNow = Date.now;
    Date.now = () => at;
    try {
      expect(verify()).toEqual(JSON.parse(body));
    } finally {
      Date.now = realNow;
    }
  }
});

it("V6: a secret that does not open for its endpoint fails the attempt (nothing is sent) and the thread goes on sending", async () => {
  open();
  const secret = newSigningSecret();
  const foreign = await sender.send({ url, endpointId: "ep-2", sealedSecrets: [sealSecret(key, "ep-1", secret)], messageId: "msg_2", at: Date.now(), body: "{}" });
  expect(foreign.ok).toBe(false);
  expect(foreign.status).toBeNull();
  expect(foreign.error).not.toContain(secret);
  expect(received).toHaveLength(0);
  const next = await sender.send({ url, endpointId: "ep-2", sealedSecrets: [sealSecret(key, "ep-2", secret)], messageId: "msg_3", at: Date.now(), body: "{}" });
  expect(next.ok).toBe(true);
  expect(received).toHaveLength(1);
});

it("V5: attempts sent in one turn all arrive; closing the sender ends an attempt still waiting for its receiver as a failure, not a throw", async () => {
  open();
  const secret = sealSecret(key, "ep-3", newSigningSecret());
  const batch = await Promise.all(
    Array.from({ length: 5 }, (_, i) => sender.send({ url, endpointId: "ep-3", sealedSecrets: [secret], messageId: `msg_b${i}`, at: Date.now(), body: `{"n":${i}}` })),
  );
  expect(batch.every((r) => r.ok)).toBe(true);
  expect(received.map((r) => r.headers["webhook-id"]).sort()).toEqual(["msg_b0", "msg_b1", "msg_b2", "msg_b3", "msg_b4"]);

  let arrived!: () => void;
  const held = new Promise<void>((r) => (arrived = r));
  hold = () => arrived(); // never answers
  const pending = sender.send({ url, endpointId: "ep-3", sealedSecrets: [secret], messageId: "msg_held", at: Date.now(), body: "{}" });
  await held;
  await sender.close();
  expect(await pending).toMatchObject({ ok: false, status: null });
  expect(await sender.send({ url, endpointId: "ep-3", sealedSecrets: [secret], messageId: "msg_late", at: Date.now(), body: "{}" })).toMatchObject({ ok: false });
});
