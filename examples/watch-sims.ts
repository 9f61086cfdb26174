// Prints every SIM status change of your operator as it happens: Subscription.events over GraphQL
// over SSE (the `graphql-sse` client), resuming after the last event seen when the connection drops,
// so no change is missed or printed twice (V4).
//
//   SIMGATE_URL=https://simgate.example.com/graphql \
//   SIMGATE_AUTH_KEY_ID=... SIMGATE_AUTH_KEY=... \
//   node --import tsx examples/watch-sims.ts [--after <sequence>]
//
// Without --after it starts with the next change; with it, it first replays the changes after that
// event sequence (as long as the server still keeps them: SIMGATE_EVENT_RETENTION_DAYS).
import { createClient } from "graphql-sse";

const WATCH = `subscription($after: String) {
  events(after: $after, types: [SIM_STATUS_CHANGED]) {
    sequence at actor imsi
    statusChange { from to cause }
  }
}`;

interface StatusEvent {
  sequence: string;
  at: string;
  actor: string;
  imsi: string | null;
  statusChange: { from: string | null; to: string; cause: string } | null;
}

/** An auth key is exchanged for a token once; a token lasts 24 hours by default, at most 48. */
async function signIn(url: string, authKeyId: string, authKey: string): Promise<string> {
  const response = await fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ query: `mutation($i: AuthenticateInput!) { authenticate(input: $i) { token userErrors { message } } }`, variables: { i: { authKeyId, authKey } } }),
  });
  const { data, errors } = (await response.json()) as { data?: { authenticate: { token: string | null; userErrors: { message: string }[] } }; errors?: { message: string }[] };
  const token = data?.authenticate.token;
  if (!token) throw new Error(`sign-in failed: ${JSON.stringify(errors ?? data?.authenticate.userErrors)}`);
  return token;
}

async function main(): Promise<number> {
  const { SIMGATE_URL: url, SIMGATE_AUTH_KEY_ID: keyId, SIMGATE_AUTH_KEY: key } = process.env;
  const afterFlag = process.argv.indexOf("--after");
  let after = afterFlag > 0 ? (process.argv[afterFlag + 1] ?? null) : null;
  if (!url || !keyId || !key) {
    console.error("usage: SIMGATE_URL=… SIMGATE_AUTH_KEY_ID=… SIMGATE_AUTH_KEY=… watch-sims.ts [--after <sequence>]");
    return 2;
  }
  const token = await signIn(url, keyId, key);
  // One HTTP request per subscription ("distinct connections" mode), as Simgate serves SSE.
  const client = createClient({ url, headers: { authorization: `Bearer ${token}` }, retryAttempts: 0 });
  console.log(`watching SIM status changes${after ? ` after event ${after}` : ""}`);
  for (;;) {
    try {
      for await (const result of client.iterate<{ events: StatusEvent }>({ query: WATCH, variables: { after } })) {
        if (result.errors) {
          // Refusals are final (e.g. EVENT_CURSOR_EXPIRED: `after` was pruned): reconnecting would not help.
          console.error(`refused: ${result.errors.map((e) => `${e.message} (${String(e.extensions?.code ?? "")})`).join("; ")}`);
          return 1;
        }
        const event = result.data!.events;
        const change = event.statusChange!;
        console.log(`#${event.sequence} ${event.at} ${event.imsi} ${change.from ?? "-"} -> ${change.to} (${change.cause}, by ${event.actor})`);
        after = event.sequence; // a reconnect resumes right after this one
      }
      console.error("the server ended the stream (restarting?); resuming in 2 s");
    } catch (error) {
      console.error(`connection lost (${error instanceof Error ? error.message : String(error)}); resuming in 2 s`);
    }
    await new Promise((resolve) => setTimeout(resolve, 2000));
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
