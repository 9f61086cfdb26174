// V1–V4 and P4 through the SDK: the log page by page, and the live stream over SSE that replays,
// goes live, reconnects with backoff after a dropped connection and resumes after the last event
// it yielded, so every event arrives once and in order.
import { beforeAll, describe, expect, it } from "vitest";
import {
  SimgateEventCursorExpiredError,
  SimgateTooManySubscriptionsError,
  type SimgateClient,
  type SimgateEvent,
} from "../src/index.ts";
import { ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { startStreamCutProxy } from "./support/proxies.ts";
import { startServer, type TestServer } from "./support/server.ts";

let server: TestServer;

beforeAll(async () => {
  server = await startServer();
});

/** Takes `count` events from a fresh stream, then leaves the loop (closing the stream). */
async function take(stream: AsyncGenerator<SimgateEvent>, count: number, during?: () => Promise<unknown>): Promise<SimgateEvent[]> {
  const seen: SimgateEvent[] = [];
  const work = during?.();
  for await (const event of stream) {
    seen.push(event);
    if (seen.length === count) break;
  }
  await work;
  return seen;
}

const sequences = (events: SimgateEvent[]) => events.map((e) => e.sequence);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => String(from + i));

describe("events.list (V1, V2)", () => {
  it("V1, V2: list, iterate and collect read the log oldest first, with types and after", async () => {
    const op = await signUp(server);
    const sims = await ownSims(server, op, 3);
    ok(await op.client.sims.update({ simId: sims[0]!.id, name: "meter-1" }));

    const page = await op.client.events.list({ first: 2 });
    expect(page.totalCount).toBe(4);
    expect(sequences(page.nodes)).toEqual(["1", "2"]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const next = await op.client.events.list({ first: 2, after: page.pageInfo.endCursor });
    expect(sequences(next.nodes)).toEqual(["3", "4"]);

    const all = await op.client.events.collect({ pageSize: 1 });
    expect(all.map((e) => [e.sequence, e.type])).toEqual([
      ["1", "SIM_REGISTERED"],
      ["2", "SIM_REGISTERED"],
      ["3", "SIM_REGISTERED"],
      ["4", "SIM_UPDATED"],
    ]);
    const updated = all[3]!;
    // The union narrows on `type`.
    if (updated.type !== "SIM_UPDATED") expect.fail("not SIM_UPDATED");
    expect(updated).toMatchObject({ changedFields: ["name"], imsi: sims[0]!.imsi, sim: { id: sims[0]!.id, name: "meter-1" } });

    const onlyUpdates: SimgateEvent[] = [];
    for await (const event of op.client.events.iterate({ types: ["SIM_UPDATED"] })) onlyUpdates.push(event);
    expect(sequences(onlyUpdates)).toEqual(["4"]);
    expect(sequences(await op.client.events.collect({ after: "2" }))).toEqual(["3", "4"]);
  });

  it("V2: reading after a pruned sequence throws SimgateEventCursorExpiredError (list and subscribe)", async () => {
    const op = await signUp(server);
    await ownSims(server, op, 3);
    await server.app.db.operator.update({ where: { operatorId: op.operatorId }, data: { prunedEventSequence: 2 } });
    const listed = await op.client.events.list({ after: "1" }).catch((error: unknown) => error);
    expect(listed).toBeInstanceOf(SimgateEventCursorExpiredError);
    expect(listed).toMatchObject({ code: "EVENT_CURSOR_EXPIRED", status: 200 });
    const streamed = await take(op.client.events.subscribe({ after: "1" }), 1).catch((error: unknown) => error);
    expect(streamed).toBeInstanceOf(SimgateEventCursorExpiredError);
    expect((streamed as SimgateEventCursorExpiredError).requestId).toBeTruthy();
    // After exactly the last pruned sequence nothing is missing.
    expect(sequences(await take(op.client.events.subscribe({ after: "2" }), 1))).toEqual(["3"]);
  });
});

describe("events.subscribe (V4, P4)", () => {
  it("V4: replays the events after `after`, then yields live ones as they are committed", async () => {
    const op = await signUp(server);
    const sims = await ownSims(server, op, 2);
    const seen = await take(op.client.events.subscribe({ after: "0" }), 4, async () => {
      // Live: committed after the stream has replayed the two registrations.
      await waitFor(async () => (await op.client.events.list()).totalCount === 2);
      ok(await op.client.sims.update({ simId: sims[0]!.id, name: "live-1" }));
      ok(await op.client.sims.update({ simId: sims[1]!.id, name: "live-2" }));
    });
    expect(seen.map((e) => [e.sequence, e.type])).toEqual([
      ["1", "SIM_REGISTERED"],
      ["2", "SIM_REGISTERED"],
      ["3", "SIM_UPDATED"],
      ["4", "SIM_UPDATED"],
    ]);
  });

  it("V4: `types` narrows the stream like the listing", async () => {
    const op = await signUp(server);
    const [sim] = await ownSims(server, op, 2);
    ok(await op.client.sims.update({ simId: sim!.id, name: "only-this" }));
    const [event] = await take(op.client.events.subscribe({ after: "0", types: ["SIM_UPDATED"] }), 1);
    expect(event).toMatchObject({ sequence: "3", type: "SIM_UPDATED", changedFields: ["name"] });
  });

  it("P4: a proxy cutting the stream every 3 events: the iterator reconnects and yields every event exactly once, in order", async () => {
    const op = await signUp(server);
    await ownSims(server, op, 10);
    const proxy = await startStreamCutProxy(server.port, 3);
    const client = server.client({ token: op.token }, { url: proxy.url });
    const sim = (await op.client.sims.collect({ limit: 1 }))[0]!;
    const seen = await take(client.events.subscribe({ after: "0" }), 14, async () => {
      await waitFor(async () => proxy.streams() >= 2);
      for (const name of ["a", "b", "c", "d"]) ok(await op.client.sims.update({ simId: sim.id, name }));
    });
    expect(sequences(seen)).toEqual(range(1, 14));
    expect(new Set(seen.map((e) => e.id)).size).toBe(14);
    // 14 events through streams cut after 3 each: at least 5 connections.
    expect(proxy.streams()).toBeGreaterThanOrEqual(5);
  });

  it("V4: an auth-key client streams with the token it signs in with", async () => {
    const op = await signUp(server);
    const key = ok(await op.client.auth.createAuthKey());
    await ownSims(server, op, 1);
    const client = server.client({ authKey: { id: key.authKeyId, secret: key.authKey } });
    expect(sequences(await take(client.events.subscribe({ after: "0" }), 1))).toEqual(["1"]);
  });
});

describe("events.subscribe: limits and closing (V4)", () => {
  let limited: TestServer;
  let op: TestOperator;
  beforeAll(async () => {
    limited = await startServer({ env: { SIMGATE_MAX_SUBSCRIPTIONS_PER_OPERATOR: "1" } });
    op = await signUp(limited);
    await ownSims(limited, op, 2);
  });

  const firstOf = async (client: SimgateClient) => {
    const stream = client.events.subscribe({ after: "0" });
    const first = await stream.next();
    return { stream, first };
  };

  it("V4: one stream more than SIMGATE_MAX_SUBSCRIPTIONS_PER_OPERATOR throws SimgateTooManySubscriptionsError; `break` gives the place back", async () => {
    const open = await firstOf(op.client);
    expect(open.first.value).toMatchObject({ sequence: "1" });
    const refused = await take(op.client.events.subscribe({ after: "0" }), 1).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(SimgateTooManySubscriptionsError);
    expect(refused).toMatchObject({ code: "TOO_MANY_SUBSCRIPTIONS", limit: 1 });
    await open.stream.return();
    // The server frees the place when it sees the connection close.
    await waitFor(async () => (await take(op.client.events.subscribe({ after: "1" }), 1).then(() => true, () => false)));
  });

  it("V4: aborting the signal ends the loop without an error and closes the stream", async () => {
    // Its own operator: the place the previous test gave back may not be free yet.
    const other = await signUp(limited);
    await ownSims(limited, other, 2);
    const controller = new AbortController();
    const seen: SimgateEvent[] = [];
    for await (const event of other.client.events.subscribe({ after: "0", signal: controller.signal })) {
      seen.push(event);
      if (seen.length === 2) setTimeout(() => controller.abort(), 50);
    }
    expect(sequences(seen)).toEqual(["1", "2"]);
    await waitFor(async () => (await take(other.client.events.subscribe({ after: "1" }), 1).then(() => true, () => false)));
  });
});

async function waitFor(check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
