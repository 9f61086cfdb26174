// The query limits (query-limits.ts) and rate limits apply to subscription documents as to
// queries, over GraphQL over SSE and over graphql-ws: checked once, when the subscription starts.
// Tight limits, so this file signs up with a shallow document of its own.
import { beforeAll, describe, expect, it } from "vitest";
import { uniqueEmail } from "./support/accounts.ts";
import { startHarness, type Harness } from "./support/harness.ts";
import { subscribeSse, subscribeWs, wsClient, type OpenSubscription } from "./support/subscriptions.ts";

const SIGN_UP = `mutation($input: SignUpInput!) { signUp(input: $input) { token } }`;

describe("limits on Subscription.events documents", () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    h = await startHarness({ env: { SIMGATE_MAX_QUERY_DEPTH: "3", SIMGATE_MAX_QUERY_COST: "5", SIMGATE_RATE_LIMIT_PER_CLIENT: "3" } });
    base = `http://127.0.0.1:${await h.app.listen()}`;
  }, 60_000);

  const signUp = async (): Promise<string> =>
    (await h.ok(SIGN_UP, { input: { email: uniqueEmail(), password: "correct horse battery", name: "Limits" } })).signUp.token as string;

  for (const transport of ["SSE", "graphql-ws"] as const) {
    const open = (query: string, token: string): Promise<OpenSubscription> =>
      transport === "SSE" ? subscribeSse(base, query, {}, token) : Promise.resolve(subscribeWs(wsClient(base, token), query, {}));

    it(`query limits (${transport}): depth and cost apply to subscription documents`, async () => {
      const token = await signUp();
      for (const [query, code] of [
        [`subscription { events { sim { tags { name } } } }`, "QUERY_DEPTH_EXCEEDED"],
        [`subscription { events { sequence type at actor imsi sessionOnline } }`, "QUERY_COST_EXCEEDED"],
      ] as const) {
        const sub = await open(query, token);
        expect((await sub.next())!.errors?.[0]?.extensions?.code).toBe(code);
        await sub.close();
      }
    });

    it(`rate limits (${transport}): a subscription counts as one operation when it starts`, async () => {
      const token = await signUp();
      const cheap = `subscription { events { sequence } }`;
      const subs: OpenSubscription[] = [];
      for (let i = 0; i < 3; i += 1) {
        const streams = h.app.live.openStreams;
        subs.push(await open(cheap, token));
        // graphql-ws says nothing when a subscription starts: wait until the server holds it.
        for (let wait = 0; wait < 200 && h.app.live.openStreams <= streams; wait += 1) await new Promise((r) => setTimeout(r, 20));
        expect(h.app.live.openStreams).toBe(streams + 1);
      }
      // Three operations in the window are allowed; the fourth is refused, whatever the transport.
      const refused = await open(cheap, token);
      expect((await refused.next())!.errors?.[0]?.extensions?.code).toBe("RATE_LIMITED");
      await Promise.all([...subs, refused].map((s) => s.close()));
    });
  }
});
