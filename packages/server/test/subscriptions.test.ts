// V4 push side through real servers: Subscription.events over GraphQL over SSE (fetch with
// Accept: text/event-stream) and over graphql-ws (its client over `ws`), on both engines; and two
// server processes on one PostgreSQL database.
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signUp, type TestOperator } from "./support/accounts.ts";
import { startHarness, type Harness } from "./support/harness.ts";
import { killServersAfterAll, startServerProcess, type ServerProcess } from "./support/server-process.ts";
import { ownSims } from "./support/sims.ts";
import { sequencesThrough, subscribeSse, subscribeWs, wsClient, type OpenSubscription } from "./support/subscriptions.ts";
import { createTestDatabase } from "./support/test-database.ts";

const onSqlite = process.env.SIMGATE_TEST_DB === "sqlite";

const EVENTS = `subscription($after: String, $types: [EventType!]) { events(after: $after, types: $types) { sequence type imsi } }`;
const RENAME = `mutation($i: UpdateSimInput!) { updateSim(input: $i) { userErrors { code } } }`;
const LAST = `{ viewer { events(first: 100) { edges { node { sequence } } } } }`;

const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

async function lastSequence(h: Pick<Harness, "ok">, op: TestOperator): Promise<number> {
  const data = await h.ok(LAST, {}, op.token);
  return Number(data.viewer.events.edges.at(-1)?.node.sequence ?? 0);
}

/** `writers` concurrent clients, each renaming its SIM `rounds` times: one SIM_UPDATED each. */
function writeConcurrently(h: Pick<Harness, "ok">, op: TestOperator, sims: { id: string }[], rounds: number): Promise<void> {
  return Promise.all(
    sims.map(async (sim, w) => {
      for (let r = 0; r < rounds; r += 1) {
        const out = await h.ok(RENAME, { i: { simId: sim.id, name: `w${w}-r${r}` } }, op.token);
        expect(out.updateSim.userErrors).toEqual([]);
      }
    }),
  ).then(() => undefined);
}

describe("Subscription.events: what a commit costs its streams", () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    // No recheck during the test: only the commit wakes the streams.
    h = await startHarness({ env: { SIMGATE_SUBSCRIPTION_RECHECK_SECONDS: "3600" } });
    base = `http://127.0.0.1:${await h.app.listen()}`;
  }, 60_000);

  it("V4: streams of one session woken by one commit re-read the session once and the log once, however many they are", async () => {
    const op = await signUp(h);
    const [sim] = await ownSims(h, op, 1); // event 1
    const subs = await Promise.all(Array.from({ length: 3 }, () => subscribeSse(base, EVENTS, { after: "0" }, op.token)));
    for (const sub of subs) expect(await sequencesThrough(sub, 1)).toEqual([1]);
    await new Promise((r) => setTimeout(r, 100)); // caught up and asleep
    h.statements.reset();
    h.statements.counting = true;
    try {
      await h.ok(RENAME, { i: { simId: sim!.id, name: "woken" } }, op.token);
      for (const sub of subs) expect(await sequencesThrough(sub, 2)).toEqual([2]);
    } finally {
      h.statements.counting = false;
    }
    const sessionReads = h.statements.sql.filter((sql) => /s\."revokedAt"/.test(sql)).length;
    const logReads = h.statements.sql.filter((sql) => /AS "pruned"/.test(sql)).length;
    // The rename's own request reads the session once; the three streams once together.
    expect({ sessionReads, logReads }).toEqual({ sessionReads: 2, logReads: 1 });
    await Promise.all(subs.map((s) => s.close()));
  });
});

describe("Subscription.events on one server", () => {
  let h: Harness;
  let base: string;
  beforeAll(async () => {
    // Streams re-read and re-check their token every second.
    h = await startHarness({ env: { SIMGATE_SUBSCRIPTION_RECHECK_SECONDS: "1" } });
    base = `http://127.0.0.1:${await h.app.listen()}`;
  }, 60_000);

  for (const transport of ["SSE", "graphql-ws"] as const) {
    const open = async (op: TestOperator, variables: Record<string, unknown>, token: string | null = op.token): Promise<OpenSubscription> =>
      transport === "SSE" ? subscribeSse(base, EVENTS, variables, token) : subscribeWs(wsClient(base, token), EVENTS, variables);
    /** graphql-ws sends nothing when a subscription starts: wait until the server holds one more stream (and has read where "now" is). */
    const started = async (before: number) => {
      for (let i = 0; i < 100 && h.app.live.openStreams <= before; i += 1) await new Promise((r) => setTimeout(r, 20));
      await new Promise((r) => setTimeout(r, 100));
    };

    it(`V4 (${transport}): replay after a sequence, then live, while concurrent writers commit: every event once, in order`, async () => {
      const op = await signUp(h);
      const sims = await ownSims(h, op, 6); // events 1–6 (SIM_REGISTERED)
      const writing = writeConcurrently(h, op, sims, 8); // 48 more, committed before, during and after the switch
      await new Promise((r) => setTimeout(r, 30));
      const sub = await open(op, { after: "3" });
      await writing;
      const last = await lastSequence(h, op);
      expect(last).toBe(6 + 48);
      expect(await sequencesThrough(sub, last)).toEqual(range(4, last));
      // Live after the replay: the next commit arrives, and nothing else.
      await h.ok(RENAME, { i: { simId: sims[0]!.id, name: "after" } }, op.token);
      expect(Number((await sub.next())!.data.events.sequence)).toBe(last + 1);
      await sub.close();
    });

    it(`V4 (${transport}): without \`after\`, only events committed from now on; \`types\` filters`, async () => {
      const op = await signUp(h);
      const [sim] = await ownSims(h, op, 1);
      const streams = h.app.live.openStreams;
      const sub = await open(op, { types: ["SIM_UPDATED"] });
      await started(streams);
      const before = await lastSequence(h, op);
      await h.ok(RENAME, { i: { simId: sim!.id, name: "now" } }, op.token);
      const first = await sub.next();
      expect(first!.data.events).toMatchObject({ sequence: String(before + 1), type: "SIM_UPDATED" });
      await sub.close();
    });

    it(`V2 (${transport}): a pruned \`after\` answers EVENT_CURSOR_EXPIRED`, async () => {
      const op = await signUp(h);
      await ownSims(h, op, 3);
      const operatorRow = await h.app.db.operator.findFirstOrThrow({ where: { operatorId: op.operatorId } });
      await h.app.db.operator.update({ where: { id: operatorRow.id }, data: { prunedEventSequence: 2 } });
      const sub = await open(op, { after: "1" });
      const result = await sub.next();
      expect(result!.errors?.[0]?.extensions?.code).toBe("EVENT_CURSOR_EXPIRED");
      await sub.close();
    });

    it(`O3 (${transport}): a subscriber whose token is revoked (logout) is disconnected`, async () => {
      const op = await signUp(h);
      await ownSims(h, op, 1);
      const sub = await open(op, { after: "0" });
      expect(Number((await sub.next())!.data.events.sequence)).toBe(1);
      await h.ok(`mutation { logout { userErrors { code } } }`, {}, op.token);
      // No wake-up needed: the stream re-checks its token at least every second here.
      await expect(Promise.race([sub.ended.then(() => "ended"), new Promise((r) => setTimeout(() => r("still open"), 5000))])).resolves.toBe("ended");
    });

    it(`O3 (${transport}): without a token the subscription answers UNAUTHENTICATED`, async () => {
      const op = await signUp(h);
      const sub = await open(op, {}, null);
      expect((await sub.next())!.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
      await sub.close();
    });

  }

  it("graphql-ws: the token may come in the upgrade request's Authorization header", async () => {
    const op = await signUp(h);
    await ownSims(h, op, 2);
    const sub = subscribeWs(wsClient(base, op.token, { viaHeader: true }), EVENTS, { after: "0" });
    expect(await sequencesThrough(sub, 2)).toEqual([1, 2]);
    await sub.close();
  });

  it("V4: streams of one operator that share a log read each get exactly their own events (own `after`, own `types`) while writers commit", async () => {
    const op = await signUp(h);
    const sims = await ownSims(h, op, 4); // events 1–4 (SIM_REGISTERED)
    const [all, updatesOnly, fromFour] = await Promise.all([
      subscribeSse(base, EVENTS, { after: "0" }, op.token),
      subscribeSse(base, EVENTS, { after: "2", types: ["SIM_UPDATED"] }, op.token),
      subscribeSse(base, EVENTS, { after: "3" }, op.token),
    ]);
    await writeConcurrently(h, op, sims, 5); // events 5–24 (SIM_UPDATED), read by the streams together
    const last = await lastSequence(h, op);
    expect(last).toBe(24);
    expect(await sequencesThrough(all, last)).toEqual(range(1, last));
    expect(await sequencesThrough(updatesOnly, last)).toEqual(range(5, last));
    expect(await sequencesThrough(fromFour, last)).toEqual(range(4, last));
    // Two commits in a row (the second inside the first one's coalescing window): each stream gets both, once, in order.
    await h.ok(RENAME, { i: { simId: sims[0]!.id, name: "x" } }, op.token);
    await h.ok(RENAME, { i: { simId: sims[1]!.id, name: "y" } }, op.token);
    for (const sub of [all, updatesOnly, fromFour]) expect(await sequencesThrough(sub, last + 2)).toEqual([last + 1, last + 2]);
    await Promise.all([all, updatesOnly, fromFour].map((s) => s.close()));
  });

  it("V4: an operator has at most SIMGATE_MAX_SUBSCRIPTIONS_PER_OPERATOR (20) open subscriptions across transports; the 21st is refused", async () => {
    const op = await signUp(h);
    const other = await signUp(h);
    await ownSims(h, op, 1);
    await ownSims(h, other, 1);
    const subs: OpenSubscription[] = [];
    for (let i = 0; i < 20; i += 1) {
      const sub = i % 2 === 0 ? await subscribeSse(base, EVENTS, { after: "0" }, op.token) : subscribeWs(wsClient(base, op.token), EVENTS, { after: "0" });
      expect(Number((await sub.next())!.data.events.sequence)).toBe(1); // open: it replayed event 1
      subs.push(sub);
    }
    for (const refused of [await subscribeSse(base, EVENTS, { after: "0" }, op.token), subscribeWs(wsClient(base, op.token), EVENTS, { after: "0" })]) {
      expect((await refused.next())!.errors?.[0]?.extensions?.code).toBe("TOO_MANY_SUBSCRIPTIONS");
    }
    // Another operator is not affected; a closed subscription gives its place back.
    const theirs = await subscribeSse(base, EVENTS, { after: "0" }, other.token);
    expect((await theirs.next())!.data.events.sequence).toBe("1");
    await theirs.close();
    await subs.pop()!.close();
    let again: OpenSubscription | null = null;
    for (let attempt = 0; attempt < 50 && !again; attempt += 1) {
      const sub = await subscribeSse(base, EVENTS, { after: "0" }, op.token);
      const first = await sub.next();
      if (first?.data) again = sub;
      else await new Promise((r) => setTimeout(r, 100));
    }
    expect(again).not.toBeNull();
    await Promise.all([...subs, again!].map((s) => s.close()));
  });
});

describe.skipIf(onSqlite)("Subscription.events across two server processes on one PostgreSQL database", () => {
  let servers: ServerProcess[] = [];
  let drop: () => Promise<void>;
  let databaseUrl: string;
  killServersAfterAll();
  beforeAll(async () => {
    const database = await createTestDatabase();
    databaseUrl = database.url;
    drop = () => database.drop();
    servers = await Promise.all([0, 1].map(() => startServerProcess(database.url)));
  }, 60_000);
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.kill()));
    await drop?.();
  });

  it("V4: a subscriber on instance B receives, within 1 s, an event committed through instance A (SSE and graphql-ws)", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const op = await signUp(a.client);
    const [sim] = await ownSims(a.client, op, 1);
    const baseB = `http://127.0.0.1:${b.port}`;
    const sse = await subscribeSse(baseB, EVENTS, {}, op.token);
    const ws = subscribeWs(wsClient(baseB, op.token), EVENTS, {});
    await new Promise((r) => setTimeout(r, 300)); // the graphql-ws subscription is open
    for (let round = 0; round < 3; round += 1) {
      const started = Date.now();
      await a.client.ok(RENAME, { i: { simId: sim!.id, name: `round ${round}` } }, op.token);
      const [x, y] = await Promise.all([sse.next(1000), ws.next(1000)]);
      expect(Date.now() - started).toBeLessThan(1000);
      expect(x!.data.events.sequence).toBe(String(2 + round));
      expect(y!.data.events.sequence).toBe(String(2 + round));
    }
    await Promise.all([sse.close(), ws.close()]);
  });

  it("V4: under a stream of commits an instance sends one NOTIFY per wake-up window, with each operator's last sequence, and the other instance's subscriber still gets every event in order", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const op = await signUp(a.client);
    const [sim] = await ownSims(a.client, op, 1);
    const first = (await lastSequence(a.client, op)) + 1;
    const sse = await subscribeSse(`http://127.0.0.1:${b.port}`, EVENTS, {}, op.token);
    const listener = new Client({ connectionString: databaseUrl });
    await listener.connect();
    const notified: string[] = [];
    listener.on("notification", (message) => void notified.push(message.payload ?? ""));
    await listener.query("LISTEN simgate_events");
    await new Promise((r) => setTimeout(r, 200)); // nothing of the sign-up still on its way
    notified.length = 0;
    try {
      const started = Date.now();
      const commits = 30;
      for (let i = 0; i < commits; i += 1) await a.client.ok(RENAME, { i: { simId: sim!.id, name: `burst ${i}` } }, op.token);
      const took = Date.now() - started;
      const last = first + commits - 1;
      expect(await sequencesThrough(sse, last)).toEqual(range(first, last));
      // B may have read the last events on an earlier wake-up: the NOTIFY naming the last one
      // comes with the window after the last commit.
      const lastNamed = () => notified.at(-1)?.split(":")[2] === String(last);
      for (const deadline = Date.now() + 2000; !lastNamed() && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 20));
      // The window is 100 ms (the default): one NOTIFY at once, then at most one per window.
      expect(notified.length).toBeGreaterThanOrEqual(1);
      expect(notified.length).toBeLessThanOrEqual(Math.ceil(took / 100) + 2);
      expect(notified.length).toBeLessThan(commits);
      // instance:operator:sequence, the operator's last sequence at that moment.
      expect(notified.at(-1)!.split(":")[2]).toBe(String(last));
    } finally {
      await listener.end();
      await sse.close();
    }
  });

  it("V4: the per-operator limit holds across instances", async () => {
    const [a, b] = servers as [ServerProcess, ServerProcess];
    const op = await signUp(a.client);
    await ownSims(a.client, op, 1);
    const subs: OpenSubscription[] = [];
    for (let i = 0; i < 20; i += 1) {
      const sub = await subscribeSse(`http://127.0.0.1:${(i % 2 === 0 ? a : b).port}`, EVENTS, { after: "0" }, op.token);
      expect((await sub.next())!.data.events.sequence).toBe("1");
      subs.push(sub);
    }
    for (const server of [a, b]) {
      const refused = await subscribeSse(`http://127.0.0.1:${server.port}`, EVENTS, { after: "0" }, op.token);
      expect((await refused.next())!.errors?.[0]?.extensions?.code).toBe("TOO_MANY_SUBSCRIPTIONS");
    }
    await Promise.all(subs.map((s) => s.close()));
  });
});
