// The webhook sender's thread (sender.ts): signing (V6) and the HTTP side of each attempt (post.ts:
// the V7 check of the resolved address, the POST, the kept-alive connections), off the thread that
// serves requests. It holds no database connection.
import { parentPort, workerData } from "node:worker_threads";
import type { AttemptResult } from "@simgate/schema/webhooks/deliveries";
import { openSecret, signatureHeader } from "@simgate/schema/webhooks/secret-box";
import { postWebhook, ReceiverConnections } from "./post.ts";
import type { SendJob, SenderSettings } from "./sender.ts";

const port = parentPort!;
const settings = workerData as SenderSettings;
const connections = new ReceiverConnections(settings.keepAliveMs);

/** Opened secrets by endpoint and sealed text (a rotated secret is a new text); bounded. */
const opened = new Map<string, string>();
const MAX_OPENED = 1000;
function secretOf(endpointId: string, sealed: string): string {
  const key = `${endpointId}\n${sealed}`;
  let secret = opened.get(key);
  if (secret === undefined) {
    if (opened.size >= MAX_OPENED) opened.clear();
    secret = openSecret(settings.encryptionKey, endpointId, sealed);
    opened.set(key, secret);
  }
  return secret;
}

function send(job: SendJob): Promise<AttemptResult> {
  const secrets = job.sealedSecrets.map((sealed) => secretOf(job.endpointId, sealed));
  const headers = {
    "webhook-id": job.messageId,
    "webhook-timestamp": String(Math.floor(job.at / 1000)),
    "webhook-signature": signatureHeader(secrets, job.messageId, new Date(job.at), job.body),
  };
  return postWebhook(job.url, headers, job.body, { timeoutMs: settings.timeoutMs, allowPrivate: settings.allowPrivate, connections });
}

// Answers finished in the same turn travel back in one message.
let answers: { id: number; result: AttemptResult }[] = [];
const answer = (id: number, result: AttemptResult) => {
  if (answers.length === 0) setImmediate(() => port.postMessage(answers.splice(0)));
  answers.push({ id, result });
};

port.on("message", (jobs: SendJob[]) => {
  for (const job of jobs) {
    // A throw in send (a secret that does not open) fails the attempt like any other error.
    Promise.resolve()
      .then(() => send(job))
      .then(
        (result) => answer(job.id, result),
        (err: unknown) => answer(job.id, { ok: false, status: null, error: `Sending failed: ${err instanceof Error ? err.message : String(err)}`.slice(0, 300) }),
      );
  }
});
port.on("close", () => connections.close());
