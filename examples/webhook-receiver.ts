// A webhook receiver for Simgate (V5) on plain node:http: it verifies each request's signature with
// the `standardwebhooks` package, answers 204 at once, and only then does the work, once per event.
//
//   SIMGATE_WEBHOOK_SECRET=whsec_... PORT=8080 node --import tsx examples/webhook-receiver.ts
//
// Why this shape:
// - Simgate waits at most 10 seconds for a 2xx and retries anything else, so answer first and work
//   afterwards (here a queue in memory; in production a job table or message queue that survives a
//   restart, since a 2xx tells Simgate the event is yours now).
// - Delivery is at least once: a retry after a lost answer, or redeliverWebhookEvents, sends the
//   same event again with the same `webhook-id`. Remember the IDs you have handled and skip repeats
//   (here the last 10,000 in memory; in production a unique key in your database).
// - The raw body must be verified before it is parsed: any re-serialised JSON breaks the signature.
//   `verify` also refuses a `webhook-timestamp` more than 5 minutes away from this machine's clock.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Webhook, WebhookVerificationError } from "standardwebhooks";

interface SimgateEvent {
  type: string;
  timestamp: string;
  data: { sequence: string | null; imsi: string | null; actor: string; statusChange: { from: string | null; to: string } | null; changedFields: string[] };
}

const MAX_BODY = 1024 * 1024;
const REMEMBERED = 10_000;

const secret = process.env.SIMGATE_WEBHOOK_SECRET;
if (!secret) {
  console.error("usage: SIMGATE_WEBHOOK_SECRET=whsec_… [PORT=8080] webhook-receiver.ts");
  process.exit(2);
}
const webhook = new Webhook(secret);
const seen = new Set<string>(); // insertion-ordered: the oldest ID is forgotten first
const work: { id: string; event: SimgateEvent }[] = [];

/** The slow part (a database write, a call to another system …), one event at a time. */
async function handle(id: string, event: SimgateEvent): Promise<void> {
  await new Promise((resolve) => setTimeout(resolve, 20));
  const d = event.data;
  const what = d.statusChange ? `${d.statusChange.from ?? "-"} -> ${d.statusChange.to}` : d.changedFields.join(",");
  console.log(`handled ${event.type} #${d.sequence} ${d.imsi ?? ""} ${what} (${id})`);
}

let working = false;
async function drain(): Promise<void> {
  if (working) return;
  working = true;
  for (let next = work.shift(); next; next = work.shift()) {
    await handle(next.id, next.event).catch((error: unknown) => console.error(`failed ${next!.id}: ${String(error)}`));
  }
  working = false;
}

const server = createServer(async (request, response) => {
  if (request.method !== "POST") return void response.writeHead(405).end();
  let body = "";
  for await (const chunk of request) {
    body += chunk;
    if (body.length > MAX_BODY) return void response.writeHead(413).end();
  }
  let event: SimgateEvent;
  try {
    event = webhook.verify(body, request.headers as Record<string, string>) as SimgateEvent;
  } catch (error) {
    console.log(`refused: ${error instanceof WebhookVerificationError ? error.message : "bad request"}`);
    return void response.writeHead(401).end();
  }
  const id = request.headers["webhook-id"] as string;
  response.writeHead(204).end(); // answered: Simgate records the delivery as SUCCEEDED
  if (seen.has(id)) {
    console.log(`duplicate ${id} skipped`);
    return;
  }
  seen.add(id);
  if (seen.size > REMEMBERED) seen.delete(seen.values().next().value!);
  work.push({ id, event });
  void drain();
});

server.listen(Number(process.env.PORT ?? 8080), process.env.HOST ?? "127.0.0.1", () => {
  const { address, port } = server.address() as AddressInfo;
  console.log(`listening on http://${address}:${port}/`);
});
