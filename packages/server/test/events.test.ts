// V1–V3: the event log, through HTTP on both engines: what each change appends, that refused
// and rolled-back calls append nothing, gap-free sequences under concurrent writers, retention,
// transfer visibility, bulk appends in bounded statements, and pages without N+1.
import { describe, expect, it } from "vitest";
import { signUp, type TestOperator } from "./support/accounts.ts";
import { ADMIN_SECRET, sendCounted, sendCountedRead, startHarness } from "./support/harness.ts";
import { ownSims, reportSession, setProtection, simAction } from "./support/sims.ts";
import { cancel, decide, issued, payByCard } from "./support/transfers.ts";
import { killServersAfterAll, startServerProcess } from "./support/server-process.ts";
import { createTestDatabase } from "./support/test-database.ts";

// 20 writers of one operator may run at once (the per-operator gate would otherwise queue them).
const h = await startHarness({ env: { SIMGATE_MAX_CONCURRENT_WRITES_PER_OPERATOR: "25", SIMGATE_WRITE_QUEUE_TIMEOUT_MS: "20000" } });
const onPostgres = process.env.SIMGATE_TEST_DB === "postgres";

const EVENT_FIELDS = `sequence type actor imsi sim { id status } statusChange { from to cause reactivation } changedFields sessionOnline
  simTransfer { id status } supportTicket { id status }`;
const EVENTS = `query($after: String, $first: Int, $types: [EventType!]) { viewer { events(after: $after, first: $first, types: $types) {
  edges { cursor node { ${EVENT_FIELDS} } } pageInfo { hasNextPage endCursor } } } }`;

interface Ev {
  sequence: string;
  type: string;
  actor: string;
  imsi: string | null;
  sim: { id: string; status: string } | null;
  statusChange: { from: string | null; to: string; cause: string; reactivation: boolean } | null;
  changedFields: string[];
  sessionOnline: boolean | null;
  simTransfer: { id: string; status: string } | null;
  supportTicket: { id: string; status: string } | null;
}

/** Every event of the operator after `after`, paging to the end. */
async function events(op: TestOperator, after?: string, types?: string[]): Promise<Ev[]> {
  const out: Ev[] = [];
  let cursor = after;
  for (;;) {
    const data = await h.ok(EVENTS, { after: cursor, first: 500, types }, op.token);
    out.push(...data.viewer.events.edges.map((e: { node: Ev }) => e.node));
    if (!data.viewer.events.pageInfo.hasNextPage) return out;
    cursor = data.viewer.events.pageInfo.endCursor;
  }
}

/** The last sequence of the operator's log ("0" when empty). */
async function tail(op: TestOperator): Promise<string> {
  const all = await events(op);
  return all.at(-1)?.sequence ?? "0";
}

const brief = (e: Ev) => [e.type, e.statusChange ? `${e.statusChange.from}>${e.statusChange.to}:${e.statusChange.cause}` : null];

describe("V1 every change appends its events", () => {
  it("V1: registration appends SIM_REGISTERED by the root user, with the SIM and its IMSI", async () => {
    const op = await signUp(h);
    const [sim] = await ownSims(h, op, 1);
    expect(await events(op)).toEqual([
      expect.objectContaining({ sequence: "1", type: "SIM_REGISTERED", actor: op.email, imsi: sim!.imsi, sim: { id: sim!.id, status: "READY" }, statusChange: null, changedFields: [] }),
    ]);
  });

  it("V1: operator status changes append SIM_STATUS_CHANGED with from, to, cause OPERATOR and the reactivation mark", async () => {
    const op = await signUp(h);
    const [sim] = await ownSims(h, op, 1);
    const mark = await tail(op);
    await simAction(h, op, "suspendSim", sim!.id);
    await simAction(h, op, "activateSim", sim!.id);
    const appended = await events(op, mark);
    expect(appended.map((e) => [e.type, e.actor, e.statusChange])).toEqual([
      ["SIM_STATUS_CHANGED", op.email, { from: "READY", to: "SUSPENDED", cause: "OPERATOR", reactivation: false }],
      ["SIM_STATUS_CHANGED", op.email, { from: "SUSPENDED", to: "ACTIVE", cause: "OPERATOR", reactivation: true }],
    ]);
    expect(appended.map((e) => e.sequence)).toEqual([String(Number(mark) + 1), String(Number(mark) + 2)]);
  });

  it("V1: refused calls append none (protected termination, an invalid transition, a foreign SIM)", async () => {
    const op = await signUp(h);
    const other = await signUp(h);
    const [sim] = await ownSims(h, op, 1);
    const [foreign] = await ownSims(h, other, 1);
    const mark = await tail(op);
    expect((await simAction(h, op, "terminateSim", sim!.id)).userErrors.map((e) => e.code)).toEqual(["TERMINATION_PROTECTED"]);
    expect((await simAction(h, op, "setSimToStandby", sim!.id)).userErrors).toEqual([]);
    expect((await simAction(h, op, "setSimToStandby", sim!.id)).userErrors.map((e) => e.code)).toEqual(["INVALID_STATUS_TRANSITION"]);
    expect((await simAction(h, op, "activateSim", foreign!.id)).userErrors.map((e) => e.code)).toEqual(["NOT_FOUND"]);
    // Only the one accepted change, numbered right after the mark.
    expect((await events(op, mark)).map((e) => [e.sequence, ...brief(e)])).toEqual([[String(Number(mark) + 1), "SIM_STATUS_CHANGED", "READY>STANDBY:OPERATOR"]]);
  });

  it("V1, V2: a call rolled back after its events were numbered appends none and returns its numbers", async () => {
    const op = await signUp(h, `rollback-${Date.now()}@example.com`);
    const [sim] = await ownSims(h, op, 1);
    const mark = await tail(op);
    // The database refuses this operator's event rows: the transaction fails after the counter moved.
    const guard = onPostgres
      ? [
          `CREATE FUNCTION refuse_rollback_events() RETURNS trigger AS $$ BEGIN RAISE EXCEPTION 'refused'; END $$ LANGUAGE plpgsql`,
          `CREATE TRIGGER refuse_rollback_events BEFORE INSERT ON "Event" FOR EACH ROW WHEN (NEW."actor" = '${op.email}') EXECUTE FUNCTION refuse_rollback_events()`,
        ]
      : [`CREATE TRIGGER refuse_rollback_events BEFORE INSERT ON "Event" WHEN NEW."actor" = '${op.email}' BEGIN SELECT RAISE(ABORT, 'refused'); END`];
    for (const sql of guard) await h.app.db.$executeRawUnsafe(sql);
    try {
      const failed = await h.gql(`mutation($id: ID!) { suspendSim(input: { simId: $id }) { sim { status } userErrors { code } } }`, { id: sim!.id }, op.token);
      expect(failed.errors?.length).toBeGreaterThan(0);
    } finally {
      await h.app.db.$executeRawUnsafe(`DROP TRIGGER refuse_rollback_events${onPostgres ? ` ON "Event"` : ""}`);
      if (onPostgres) await h.app.db.$executeRawUnsafe(`DROP FUNCTION refuse_rollback_events()`);
    }
    const state = await h.ok(`query($id: ID!) { node(id: $id) { ... on Sim { status } } }`, { id: sim!.id }, op.token);
    expect(state.node.status).toBe("READY");
    expect(await events(op, mark)).toEqual([]);
    await simAction(h, op, "suspendSim", sim!.id);
    expect((await events(op, mark)).map((e) => e.sequence)).toEqual([String(Number(mark) + 1)]);
  });

  it("V1: updates append SIM_UPDATED with the changed fields only; a change that changes nothing appends none", async () => {
    const op = await signUp(h);
    const [sim] = await ownSims(h, op, 1);
    const mark = await tail(op);
    const UPDATE = `mutation($i: UpdateSimInput!) { updateSim(input: $i) { userErrors { code } } }`;
    await h.ok(UPDATE, { i: { simId: sim!.id, name: "meter", tags: [{ name: "site", value: "a" }] } }, op.token);
    await h.ok(UPDATE, { i: { simId: sim!.id, name: "meter", tags: [{ name: "site", value: "a" }] } }, op.token);
    await h.ok(UPDATE, { i: { simId: sim!.id, tags: [{ name: "site", value: "b" }] } }, op.token);
    await setProtection(h, op, sim!.id, false);
    await setProtection(h, op, sim!.id, false);
    const expiresAt = new Date(h.clock.now().getTime() + 3_600_000).toISOString();
    await h.ok(`mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`, { i: { simId: sim!.id, expiresAt, action: "SUSPEND" } }, op.token);
    await h.ok(`mutation($id: ID!) { clearSimExpiry(input: { simId: $id }) { userErrors { code } } }`, { id: sim!.id }, op.token);
    const appended = await events(op, mark);
    expect(appended.map((e) => [e.type, [...e.changedFields].sort(), e.actor])).toEqual([
      ["SIM_UPDATED", ["name", "tags"], op.email],
      ["SIM_UPDATED", ["tags"], op.email],
      ["SIM_UPDATED", ["terminationProtected"], op.email],
      ["SIM_UPDATED", ["expiry"], op.email],
      ["SIM_UPDATED", ["expiry"], op.email],
    ]);
  });

  it("V1: network sessions append SIM_SESSION_CHANGED and the status change they cause (cause NETWORK_SESSION), by system", async () => {
    const op = await signUp(h);
    const [sim] = await ownSims(h, op, 1);
    const mark = await tail(op);
    await reportSession(h, sim!.imsi, true);
    await reportSession(h, sim!.imsi, false);
    const appended = await events(op, mark);
    expect(appended.map((e) => [...brief(e), e.sessionOnline, e.actor])).toEqual([
      ["SIM_SESSION_CHANGED", null, true, "system"],
      ["SIM_STATUS_CHANGED", "READY>ACTIVE:NETWORK_SESSION", null, "system"],
      ["SIM_SESSION_CHANGED", null, false, "system"],
    ]);
  });

  it("V1: a due expiry appends SIM_EXPIRED whatever its action, then its effects (cause EXPIRY), by system", async () => {
    const op = await signUp(h);
    const [a, b] = await ownSims(h, op, 2);
    await reportSession(h, a!.imsi, true);
    const SET = `mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { userErrors { code } } }`;
    const at = new Date(h.clock.now().getTime() + 60_000).toISOString();
    await h.ok(SET, { i: { simId: a!.id, expiresAt: at, action: "DEACTIVATE" } }, op.token);
    await h.ok(SET, { i: { simId: b!.id, expiresAt: at, action: "DO_NOTHING" } }, op.token);
    const mark = await tail(op);
    h.clock.advance(61_000);
    try {
      await h.ok(`mutation { adminRunDueJobs { expiriesApplied } }`, {}, ADMIN_SECRET);
    } finally {
      h.clock.reset();
    }
    const appended = await events(op, mark);
    const of = (imsi: string) => appended.filter((e) => e.imsi === imsi).map((e) => [...brief(e), e.sessionOnline, e.actor]);
    expect(of(a!.imsi)).toEqual([
      ["SIM_EXPIRED", null, null, "system"],
      ["SIM_SESSION_CHANGED", null, false, "system"],
      ["SIM_STATUS_CHANGED", "ACTIVE>INACTIVE:EXPIRY", null, "system"],
    ]);
    expect(of(b!.imsi)).toEqual([["SIM_EXPIRED", null, null, "system"]]);
  });

  it("V1: staff replies (system) and closing (the root user) append SUPPORT_TICKET_CHANGED", async () => {
    const op = await signUp(h);
    const created = await h.ok(
      `mutation { createSupportTicket(input: { subject: "APN", category: CONNECTIVITY, body: "No data" }) { ticket { id } userErrors { code } } }`,
      {},
      op.token,
    );
    const ticketId = created.createSupportTicket.ticket.id;
    const mark = await tail(op);
    await h.ok(`mutation($i: AdminReplyToSupportTicketInput!) { adminReplyToSupportTicket(input: $i) { userErrors { code } } }`, { i: { ticketId, body: "Try again" } }, ADMIN_SECRET);
    await h.ok(`mutation($id: ID!) { closeSupportTicket(input: { ticketId: $id }) { userErrors { code } } }`, { id: ticketId }, op.token);
    expect((await events(op, mark)).map((e) => [e.type, e.actor, e.supportTicket])).toEqual([
      ["SUPPORT_TICKET_CHANGED", "system", { id: ticketId, status: "CLOSED" }],
      ["SUPPORT_TICKET_CHANGED", op.email, { id: ticketId, status: "CLOSED" }],
    ]);
  });
});

describe("V1, V3 transfers", () => {
  it("V1, V3: issue and accept append to both logs; the source keeps its events with imsi and sim null, the destination's start at acceptance", async () => {
    const source = await signUp(h);
    const dest = await signUp(h);
    await payByCard(h, dest);
    const sims = await ownSims(h, source, 2);
    const t = await issued(h, source, dest, sims.map((s) => s.id));
    const destMark = "0";
    expect((await decide(h, dest, "acceptSimTransfer", { token: t.token })).userErrors).toEqual([]);
    const src = await events(source);
    expect(src.map(brief)).toEqual([
      ["SIM_REGISTERED", null],
      ["SIM_REGISTERED", null],
      ["SIM_STATUS_CHANGED", "READY>TRANSFERRING:TRANSFER"],
      ["SIM_STATUS_CHANGED", "READY>TRANSFERRING:TRANSFER"],
      ["SIM_TRANSFER_CHANGED", null],
      ["SIM_TRANSFER_CHANGED", null],
    ]);
    // V3: the SIMs are the destination's now: the source's events keep the IMSI only.
    expect(src.filter((e) => e.imsi).every((e) => e.sim === null)).toBe(true);
    expect(new Set(src.filter((e) => e.imsi).map((e) => e.imsi))).toEqual(new Set(sims.map((s) => s.imsi)));
    expect(src.filter((e) => e.type === "SIM_TRANSFER_CHANGED").map((e) => [e.actor, e.simTransfer?.id])).toEqual([
      [source.email, t.id],
      [dest.email, t.id],
    ]);
    const dst = await events(dest, destMark);
    expect(dst.map((e) => [...brief(e), e.sim?.id ?? null])).toEqual([
      ["SIM_TRANSFER_CHANGED", null, null],
      ["SIM_STATUS_CHANGED", "TRANSFERRING>READY:TRANSFER", expect.any(String)],
      ["SIM_STATUS_CHANGED", "TRANSFERRING>READY:TRANSFER", expect.any(String)],
      ["SIM_TRANSFER_CHANGED", null, null],
    ]);
    expect(dst.filter((e) => e.sim).map((e) => e.sim!.id).sort()).toEqual(sims.map((s) => s.id).sort());
    expect(dst.map((e) => e.sequence)).toEqual(["1", "2", "3", "4"]);
  });

  it("V1: cancel, reject and expiry append SIM_TRANSFER_CHANGED to both sides and the SIMs' return to READY to the source", async () => {
    const source = await signUp(h);
    const dest = await signUp(h);
    const [a, b, c] = await ownSims(h, source, 3);
    const ended: [string, string][] = [];
    const t1 = await issued(h, source, dest, [a!.id]);
    expect((await cancel(h, source, t1.id)).userErrors).toEqual([]);
    ended.push([t1.id, source.email]);
    const t2 = await issued(h, source, dest, [b!.id]);
    expect((await decide(h, dest, "rejectSimTransfer", { transferId: t2.id })).userErrors).toEqual([]);
    ended.push([t2.id, dest.email]);
    const t3 = await issued(h, source, dest, [c!.id]);
    h.clock.advance(8 * 86_400_000);
    try {
      await h.ok(`mutation { adminRunDueJobs { transfersExpired } }`, {}, ADMIN_SECRET);
    } finally {
      h.clock.reset();
    }
    ended.push([t3.id, "system"]);
    for (const op of [source, dest]) {
      const changes = (await events(op, undefined, ["SIM_TRANSFER_CHANGED"])).map((e) => [e.simTransfer!.id, e.actor, e.simTransfer!.status]);
      expect(changes).toEqual([
        [t1.id, source.email, "CANCELED"],
        [t1.id, source.email, "CANCELED"],
        [t2.id, source.email, "REJECTED"],
        [t2.id, dest.email, "REJECTED"],
        [t3.id, source.email, "EXPIRED"],
        [t3.id, "system", "EXPIRED"],
      ]);
    }
    const returned = (await events(source, undefined, ["SIM_STATUS_CHANGED"])).filter((e) => e.statusChange!.to === "READY");
    expect(returned.map((e) => [e.imsi, e.actor])).toEqual([
      [a!.imsi, source.email],
      [b!.imsi, dest.email],
      [c!.imsi, "system"],
    ]);
    // V3: the destination never saw the source's SIM events.
    expect(await events(dest, undefined, ["SIM_STATUS_CHANGED", "SIM_REGISTERED"])).toEqual([]);
  });
});

describe("V2 numbering", () => {
  it("V2: 20 concurrent writers on one operator leave sequences 1..N with no hole, in commit order", async () => {
    const op = await signUp(h);
    const sims = await ownSims(h, op, 20);
    const answers = await Promise.all(sims.map((s) => h.gql(`mutation($id: ID!) { suspendSim(input: { simId: $id }) { userErrors { code } } }`, { id: s.id }, op.token)));
    expect(answers.map((r) => r.errors ?? r.data.suspendSim.userErrors)).toEqual(sims.map(() => []));
    const all = await events(op);
    expect(all.map((e) => e.sequence)).toEqual(all.map((_, i) => String(i + 1)));
    expect(all.filter((e) => e.type === "SIM_STATUS_CHANGED")).toHaveLength(20);
    expect(all).toHaveLength(40);
  });

  it("V2: concurrent writers on one operator, in Prisma's transactions and in hand-written-SQL ones, leave sequences 1..N with no hole", async () => {
    const op = await signUp(h);
    const sims = await ownSims(h, op, 10);
    // suspendSim runs in a Prisma transaction; the operator's updateSim of a name in one of
    // hand-written statements only (sqlTransaction). Both append under the same counter.
    const answers = await Promise.all(
      sims.flatMap((s, i) => [
        h.gql(`mutation($id: ID!) { suspendSim(input: { simId: $id }) { userErrors { code } } }`, { id: s.id }, op.token),
        h.gql(`mutation($i: UpdateSimInput!) { updateSim(input: $i) { userErrors { code } } }`, { i: { simId: s.id, name: `raced-${i}` } }, op.token),
      ]),
    );
    expect(answers.map((r) => r.errors ?? Object.values(r.data as Record<string, { userErrors: unknown[] }>)[0]!.userErrors)).toEqual(answers.map(() => []));
    const all = await events(op);
    expect(all.map((e) => e.sequence)).toEqual(all.map((_, i) => String(i + 1)));
    expect(all.filter((e) => e.type === "SIM_STATUS_CHANGED")).toHaveLength(10);
    expect(all.filter((e) => e.type === "SIM_UPDATED")).toHaveLength(10);
    expect(all).toHaveLength(30);
  });

  it("V2: `after` must be a sequence: anything else is BAD_USER_INPUT (HTTP 400) before execution", async () => {
    const op = await signUp(h);
    for (const after of ["abc", "-1", "01", "1.5", "9".repeat(20), "9223372036854775808"]) {
      const r = await sendCounted(h, EVENTS, { after, first: 10 }, op.token);
      expect([after, r.status, r.body.errors?.[0]?.extensions?.code]).toEqual([after, 400, "BAD_USER_INPUT"]);
    }
    const r = await sendCounted(h, EVENTS, { after: "9223372036854775807", first: 10 }, op.token);
    expect([r.status, r.body.errors, r.body.data?.viewer.events.edges]).toEqual([200, undefined, []]);
  });

  it("V1: a page of events with their SIMs, status changes, transfers and tickets costs the same statements for 5 events as for 30", async () => {
    const op = await signUp(h);
    await ownSims(h, op, 30);
    const small = await sendCountedRead(h, EVENTS, { first: 5 }, op.token);
    const large = await sendCountedRead(h, EVENTS, { first: 500 }, op.token);
    expect(small.body.data.viewer.events.edges).toHaveLength(5);
    expect(large.body.data.viewer.events.edges).toHaveLength(30);
    expect(large.statements).toBe(small.statements);
    expect(large.statements).toBeLessThanOrEqual(8);
  });

  it("V1, S11: terminating 1,000 SIMs appends 1,000 events with one counter update and a bounded number of inserts", async () => {
    const op = await signUp(h);
    const sims = await ownSims(h, op, 1000);
    const rowIds = sims.map((s) => Buffer.from(s.id, "base64").toString().split(":")[1]!);
    await h.app.db.sim.updateMany({ where: { id: { in: rowIds } }, data: { terminationProtected: false } });
    const mark = await tail(op);
    const r = await sendCounted(h, `mutation($ids: [ID!]!) { terminateSims(input: { simIds: $ids }) { results { userErrors { code } } userErrors { code } } }`, { ids: sims.map((s) => s.id) }, op.token);
    expect(r.body.data.terminateSims.userErrors).toEqual([]);
    const sql = h.statements.sql;
    // On PostgreSQL the counter, the events and their deliveries are one statement, which also
    // carries the audit entry (events/append.ts).
    const counterUpdates = sql.filter((s) => /^(WITH [\s\S]*?\bc AS \(\s*)?UPDATE "Operator" SET "lastEventSequence"/.test(s));
    const eventInserts = sql.filter((s) => /^(WITH [\s\S]*)?INSERT INTO [\w."`]*\bEvent["`]? \(/.test(s));
    expect(counterUpdates).toHaveLength(1);
    expect(eventInserts.length).toBeGreaterThanOrEqual(1);
    expect(eventInserts.length).toBeLessThanOrEqual(13);
    const appended = await events(op, mark);
    expect(appended).toHaveLength(1000);
    expect(appended.every((e) => e.type === "SIM_STATUS_CHANGED" && e.statusChange!.to === "TERMINATED")).toBe(true);
    expect(appended.map((e) => e.sequence)).toEqual(appended.map((_, i) => String(Number(mark) + 1 + i)));
  }, 300_000);
});

describe("V2 retention", () => {
  it("V2: events past SIMGATE_EVENT_RETENTION_DAYS are pruned; reading after a pruned sequence is EVENT_CURSOR_EXPIRED, numbering goes on", async () => {
    const op = await signUp(h);
    const [sim] = await ownSims(h, op, 1);
    await simAction(h, op, "suspendSim", sim!.id);
    const kept = await tail(op);
    expect(kept).toBe("2");
    h.clock.advance(31 * 86_400_000);
    try {
      await h.app.scheduler.runOnce();
      // A month later the token has expired: sign in again.
      const signedIn = await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token } }`, { i: { email: op.email, password: op.password } });
      op.token = signedIn.authenticate.token;
      const expired = await h.gql(EVENTS, { after: "0", first: 10 }, op.token);
      expect(expired.errors?.[0]?.extensions?.code).toBe("EVENT_CURSOR_EXPIRED");
      expect((await h.gql(EVENTS, { after: "1", first: 10 }, op.token)).errors?.[0]?.extensions?.code).toBe("EVENT_CURSOR_EXPIRED");
      // After the last pruned sequence nothing is missing.
      expect(await events(op, kept)).toEqual([]);
      expect(await events(op)).toEqual([]);
      await simAction(h, op, "activateSim", sim!.id);
      expect((await events(op)).map((e) => e.sequence)).toEqual(["3"]);
    } finally {
      h.clock.reset();
    }
  });
});

// PostgreSQL only: several processes on one SQLite file is not a supported deployment.
describe.skipIf(!onPostgres)("V2 with two server processes on one PostgreSQL database", () => {
  killServersAfterAll();

  it("V2: writers on one operator through two instances leave sequences 1..N with no hole; a reader never sees a lower sequence appear later", async () => {
    const database = await createTestDatabase();
    const servers = await Promise.all([0, 1].map(() => startServerProcess(database.url, { SIMGATE_MAX_CONCURRENT_WRITES_PER_OPERATOR: "20", SIMGATE_WRITE_QUEUE_TIMEOUT_MS: "20000" })));
    try {
      const [a, b] = servers.map((s) => s.client);
      const op = await signUp(a!);
      const sims = await ownSims(a!, op, 20);
      // A reader polls throughout: every page must continue exactly where the previous one ended.
      let seen = 0;
      let reading = true;
      const reader = (async () => {
        while (reading) {
          const data = await b!.ok(`query($after: String) { viewer { events(after: $after, first: 100) { edges { node { sequence } } } } }`, { after: String(seen) }, op.token);
          for (const { node } of data.viewer.events.edges) {
            expect(Number(node.sequence)).toBe(seen + 1);
            seen += 1;
          }
        }
      })();
      const answers = await Promise.all(
        // Each instance sends both kinds of write: a Prisma transaction (suspendSim) and one of
        // hand-written statements only (the operator's updateSim of a name).
        sims.map((s, i) =>
          [a!, b!][i % 2]!.gql(
            Math.floor(i / 2) % 2 === 0
              ? `mutation($id: ID!) { suspendSim(input: { simId: $id }) { userErrors { code } } }`
              : `mutation($id: ID!, $name: String!) { updateSim(input: { simId: $id, name: $name }) { userErrors { code } } }`,
            { id: s.id, name: `instances-${i}` },
            op.token,
          ),
        ),
      );
      reading = false;
      await reader;
      expect(answers.map((r) => r.errors ?? Object.values(r.data as Record<string, { userErrors: unknown[] }>)[0]!.userErrors)).toEqual(sims.map(() => []));
      const data = await a!.ok(`{ viewer { events(first: 100) { edges { node { sequence type } } } } }`, {}, op.token);
      const sequences = data.viewer.events.edges.map((e: { node: { sequence: string } }) => Number(e.node.sequence));
      expect(sequences).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    } finally {
      await Promise.all(servers.map((s) => s.kill()));
      await database.drop();
    }
  }, 120_000);
});
