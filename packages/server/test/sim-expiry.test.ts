// S7 expiry through the endpoint, the scheduler, restarts and two schedulers on one database.
import { spawn } from "node:child_process";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { createApp } from "../src/app.ts";
import { signUp } from "./support/accounts.ts";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";
import { createLogger } from "../src/logger.ts";
import { history, ownSims, reportSession, setProtection } from "./support/sims.ts";

const h = await startHarness({ env: { SIMGATE_SCHEDULER_INTERVAL_MS: "100" } });
const op = await signUp(h);
const codes = (r: { userErrors: { code: string }[] }) => r.userErrors.map((e) => e.code);

const SET = `mutation($i: SetSimExpiryInput!) { setSimExpiry(input: $i) { sim { expiry { expiresAt action } } userErrors { code field } } }`;
const STATE = `query($id: ID!) { node(id: $id) { ... on Sim { status sessionOnline terminationProtected expiry { action } } } }`;

const inMs = (ms: number) => new Date(h.clock.now().getTime() + ms).toISOString();

async function setExpiry(simId: string, action: string, at = inMs(60_000)) {
  return (await h.ok(SET, { i: { simId, expiresAt: at, action } }, op.token)).setSimExpiry;
}

async function runDue() {
  return (await h.ok(`mutation { adminRunDueJobs { expiriesApplied transfersExpired } }`, {}, ADMIN_SECRET)).adminRunDueJobs;
}

async function state(simId: string) {
  return (await h.ok(STATE, { id: simId }, op.token)).node;
}

describe("S7 setting an expiry", () => {
  it("S7: the expiry must be in the future", async () => {
    const [sim] = await ownSims(h, op, 1);
    expect((await setExpiry(sim!.id, "DO_NOTHING", inMs(-1000))).userErrors).toEqual([{ code: "EXPIRY_IN_PAST", field: ["input", "expiresAt"] }]);
    const ok = await setExpiry(sim!.id, "DEACTIVATE");
    expect(ok).toEqual({ sim: { expiry: { expiresAt: expect.any(String), action: "DEACTIVATE" } }, userErrors: [] });
  });

  it("S6, S7: setSimExpiry racing terminateSim on one SIM sets an expiry only before the termination, never on the terminated SIM", async () => {
    const sims = await ownSims(h, op, 12);
    await Promise.all(sims.map((s) => setProtection(h, op, s.id, false)));
    const answers = await Promise.all(
      sims.map((s) =>
        Promise.all([
          setExpiry(s.id, "SUSPEND"),
          h.ok(`mutation($id: ID!) { terminateSim(input: { simId: $id }) { userErrors { code } } }`, { id: s.id }, op.token),
        ]),
      ),
    );
    const EVENTS = `query($after: String) { viewer { events(after: $after, first: 1000) { edges { node { sequence type sim { id } } } } } }`;
    const log = (await h.ok(EVENTS, {}, op.token)).viewer.events.edges.map((e: { node: { sequence: string; type: string; sim: { id: string } | null } }) => e.node);
    for (const [i, [set, terminated]] of answers.entries()) {
      const id = sims[i]!.id;
      expect(terminated.terminateSim.userErrors, id).toEqual([]);
      const mine = log.filter((e: { sim: { id: string } | null }) => e.sim?.id === id).map((e: { type: string }) => e.type);
      if (set.userErrors.length > 0) {
        // Refused: it read the SIM after the termination.
        expect(codes(set), id).toEqual(["SIM_TERMINATED"]);
        expect(mine.at(-1), id).toBe("SIM_STATUS_CHANGED");
      } else {
        // Set: it read and wrote the SIM before the termination, which came after it in the log.
        expect(mine.slice(-2), id).toEqual(["SIM_UPDATED", "SIM_STATUS_CHANGED"]);
      }
    }
  });

  it("S7: TERMINATE needs protection OFF when set, and still terminates after protection is turned back ON", async () => {
    const [sim] = await ownSims(h, op, 1);
    expect(codes(await setExpiry(sim!.id, "TERMINATE"))).toEqual(["TERMINATION_PROTECTED"]);
    await setProtection(h, op, sim!.id, false);
    expect(codes(await setExpiry(sim!.id, "TERMINATE"))).toEqual([]);
    await setProtection(h, op, sim!.id, true);
    h.clock.advance(61_000);
    try {
      await runDue();
      expect(await state(sim!.id)).toMatchObject({ status: "TERMINATED", terminationProtected: true });
      expect((await history(h, op, sim!.id)).edges[0]!.node).toMatchObject({ from: "READY", to: "TERMINATED", cause: "EXPIRY" });
    } finally {
      h.clock.reset();
    }
  });

  it("S7: clearSimExpiry removes it", async () => {
    const [sim] = await ownSims(h, op, 1);
    await setExpiry(sim!.id, "SUSPEND");
    const r = await h.ok(`mutation($id: ID!) { clearSimExpiry(input: { simId: $id }) { sim { expiry { action } } userErrors { code } } }`, { id: sim!.id }, op.token);
    expect(r.clearSimExpiry).toEqual({ sim: { expiry: null }, userErrors: [] });
  });
});

describe("S7 applying expiries", () => {
  it.each([
    ["DO_NOTHING", "ACTIVE", true],
    ["DELETE_SESSION", "ACTIVE", false],
    ["DEACTIVATE", "INACTIVE", false],
    ["SUSPEND", "SUSPENDED", false],
    ["TERMINATE", "TERMINATED", false],
  ])("S7: %s leaves the SIM %s, session online %s, and no new session is accepted", async (action, status, online) => {
    const [sim] = await ownSims(h, op, 1);
    await reportSession(h, sim!.imsi, true);
    await setProtection(h, op, sim!.id, false);
    await setExpiry(sim!.id, action);
    h.clock.advance(61_000);
    try {
      const first = await runDue();
      expect(first.expiriesApplied).toBeGreaterThanOrEqual(1);
      expect(await state(sim!.id)).toMatchObject({ status, sessionOnline: online });
      const again = await reportSession(h, sim!.imsi, true);
      expect(again.userErrors.length).toBe(1);
    } finally {
      h.clock.reset();
    }
  });

  it("S7: the server's own scheduler applies an expiry once it falls due on the injected clock, not before, and once", async () => {
    const [sim] = await ownSims(h, op, 1);
    expect((await setExpiry(sim!.id, "DEACTIVATE")).userErrors).toEqual([]); // due in 60 s
    await h.app.listen(); // starts the scheduler (interval 100 ms here)
    await h.app.scheduler.runOnce();
    expect((await state(sim!.id)).status).toBe("READY");
    h.clock.advance(61_000);
    try {
      // A bound for the loop to get there, not a measurement of how fast it did.
      await expect.poll(async () => (await state(sim!.id)).status, { timeout: 10_000, interval: 100 }).toBe("INACTIVE");
      // More runs, at once and beside the loop, find nothing left to apply.
      await Promise.all([h.app.scheduler.runOnce(), h.app.scheduler.runOnce()]);
      expect((await history(h, op, sim!.id)).edges.filter((e) => e.node.cause === "EXPIRY")).toHaveLength(1);
      const applied = await h.ok(`query($id: ID!) { viewer { auditLog(first: 10, filter: { action: "applySimExpiry", targetId: $id }) { totalCount } } }`, { id: sim!.id }, op.token);
      expect(applied.viewer.auditLog.totalCount).toBe(1);
    } finally {
      h.clock.reset();
    }
  });
});

/** A separate server process on the same database, started and waiting: go() makes it run one scheduler pass at `now`. */
function schedulerProcess(now: Date): { ready: Promise<void>; go(): void; report: Promise<{ expiriesApplied: number }> } {
  const root = resolve(import.meta.dirname, "../../..");
  const child = spawn(process.execPath, ["--import", "tsx", "packages/server/test/support/scheduler-process.ts"], {
    cwd: root,
    env: { ...process.env, DATABASE_URL: h.app.config.DATABASE_URL, LOG_LEVEL: "silent", SIMGATE_TEST_NOW: now.toISOString() },
    stdio: ["pipe", "pipe", "inherit"],
  });
  let out = "";
  let signalReady: () => void;
  const ready = new Promise<void>((r) => (signalReady = r));
  child.stdout.on("data", (c: Buffer) => {
    out += c.toString();
    if (out.startsWith("ready\n")) signalReady();
  });
  const report = new Promise<{ expiriesApplied: number }>((done, fail) =>
    child.on("exit", (code) => (code === 0 ? done(JSON.parse(out.slice("ready\n".length))) : fail(new Error(`scheduler process exited ${code}`)))),
  );
  return { ready, go: () => child.stdin.end("go\n"), report };
}

describe("S7 exactly once with several schedulers", () => {
  it("S7: three server processes' schedulers on one database apply each of 60 due expiries exactly once", async () => {
    await h.app.scheduler.stop(); // the listening server's own loop would take them all first
    const sims = await ownSims(h, op, 60);
    for (const s of sims) await setExpiry(s.id, "SUSPEND"); // due in 60 s
    h.clock.advance(61_000); // all three run at the same instant of the injected clock
    const others = [schedulerProcess(h.clock.now()), schedulerProcess(h.clock.now())];
    // Both processes started before any runs, so the three passes really overlap.
    await Promise.all(others.map((p) => p.ready));
    for (const p of others) p.go();
    const reports = await Promise.all([...others.map((p) => p.report), h.app.scheduler.runOnce()]).finally(() => h.clock.reset());
    expect(reports.reduce((n, r) => n + r.expiriesApplied, 0)).toBe(60);
    for (const s of sims) {
      const hist = await history(h, op, s.id);
      expect(hist.edges.filter((e) => e.node.cause === "EXPIRY")).toHaveLength(1);
    }
    const audited = await h.app.db.auditLogEntry.findMany({ where: { action: "applySimExpiry" }, select: { targetIds: true } });
    const ids = new Set(sims.map((s) => s.id));
    expect(audited.flatMap((e) => JSON.parse(e.targetIds) as string[]).filter((id) => ids.has(id)).sort()).toEqual([...ids].sort());
  }, 60_000);

  it("S7: a restarted server applies expiries that fell due while it was down", async () => {
    await h.app.scheduler.stop(); // the server is down
    const [sim] = await ownSims(h, op, 1);
    await setExpiry(sim!.id, "DEACTIVATE"); // due in 60 s
    h.clock.advance(61_000); // it falls due while no scheduler runs
    const restarted = await createApp({ ...h.app.config, PORT: 0 }, { clock: h.clock, logger: createLogger("silent") });
    try {
      expect((await state(sim!.id)).status).toBe("READY");
      await restarted.scheduler.runOnce();
      expect((await state(sim!.id)).status).toBe("INACTIVE");
    } finally {
      await restarted.close();
      h.clock.reset();
    }
  });
});

