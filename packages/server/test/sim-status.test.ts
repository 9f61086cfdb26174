// S2–S6 through the endpoint: status mutations, history, allowed actions, sessions, termination.
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";
import { snapshot } from "./support/snapshot.ts";
import { history, ownSims, reportSession, setProtection, simAction } from "./support/sims.ts";

const h = await startHarness();
const op = await signUp(h);
const codes = (r: { userErrors: { code: string }[] }) => r.userErrors.map((e) => e.code);

describe("S3 status mutations", () => {
  it("S3: each mutation follows the machine and appends history with cause OPERATOR", async () => {
    const [sim] = await ownSims(h, op, 1);
    expect((await simAction(h, op, "setSimToStandby", sim!.id)).sim?.status).toBe("STANDBY");
    expect((await simAction(h, op, "activateSim", sim!.id)).sim?.status).toBe("ACTIVE");
    expect((await simAction(h, op, "suspendSim", sim!.id)).sim?.status).toBe("SUSPENDED");
    expect((await simAction(h, op, "deactivateSim", sim!.id)).sim?.status).toBe("INACTIVE");
    const log = await history(h, op, sim!.id);
    expect(log.totalCount).toBe(5);
    expect(log.edges.map((e) => e.node)).toEqual([
      { from: "SUSPENDED", to: "INACTIVE", cause: "OPERATOR", reactivation: true },
      { from: "ACTIVE", to: "SUSPENDED", cause: "OPERATOR", reactivation: false },
      { from: "STANDBY", to: "ACTIVE", cause: "OPERATOR", reactivation: false },
      { from: "READY", to: "STANDBY", cause: "OPERATOR", reactivation: false },
      { from: null, to: "READY", cause: "OPERATOR", reactivation: false },
    ]);
  });

  it("S3: a refused transition is INVALID_STATUS_TRANSITION and changes nothing", async () => {
    const [sim] = await ownSims(h, op, 1);
    await simAction(h, op, "activateSim", sim!.id);
    const before = await snapshot(h.app.db);
    const r = await simAction(h, op, "activateSim", sim!.id);
    expect(r).toEqual({ sim: null, userErrors: [{ code: "INVALID_STATUS_TRANSITION", field: ["input", "simId"] }] });
    expect(codes(await simAction(h, op, "setSimToStandby", sim!.id))).toEqual(["INVALID_STATUS_TRANSITION"]);
    expect(await snapshot(h.app.db)).toBe(before);
  });

  it("S2: no mutation takes a SIM back to READY", async () => {
    const [sim] = await ownSims(h, op, 1);
    await simAction(h, op, "deactivateSim", sim!.id);
    for (const m of ["activateSim", "deactivateSim", "setSimToStandby", "suspendSim"]) {
      const r = await simAction(h, op, m, sim!.id);
      expect(r.sim?.status ?? "refused").not.toBe("READY");
    }
  });

  it("S3: plan-D and plan-K refuse standby with SUBSCRIPTION_UNSUPPORTED", async () => {
    for (const subscription of ["plan-D", "plan-K"]) {
      const [sim] = await ownSims(h, op, 1, { subscription });
      expect(codes(await simAction(h, op, "setSimToStandby", sim!.id))).toEqual(["SUBSCRIPTION_UNSUPPORTED"]);
    }
  });

  it("S3: allowedActions follows the machine and protection", async () => {
    const [sim] = await ownSims(h, op, 1);
    expect((await simAction(h, op, "activateSim", sim!.id)).sim?.allowedActions).toEqual(["DEACTIVATE", "SUSPEND"]);
    await setProtection(h, op, sim!.id, false);
    expect((await simAction(h, op, "suspendSim", sim!.id)).sim?.allowedActions).toEqual(["ACTIVATE", "DEACTIVATE", "TERMINATE"]);
  });

  it("unknown, malformed and foreign SIM IDs are NOT_FOUND (O4)", async () => {
    const other = await signUp(h);
    const [foreign] = await ownSims(h, other, 1);
    for (const id of [foreign!.id, "garbage", Buffer.from("Sim:00000000-0000-7000-8000-000000000000").toString("base64")]) {
      expect(codes(await simAction(h, op, "activateSim", id))).toEqual(["NOT_FOUND"]);
    }
    expect((await h.ok(`query($id: ID!) { node(id: $id) { id } }`, { id: foreign!.id }, op.token)).node).toBeNull();
  });
});

describe("S4 network sessions", () => {
  it("S4: a session on READY or STANDBY makes the SIM ACTIVE, with cause NETWORK_SESSION", async () => {
    const [ready, standby] = await ownSims(h, op, 2);
    await simAction(h, op, "setSimToStandby", standby!.id);
    for (const sim of [ready!, standby!]) {
      expect(await reportSession(h, sim.imsi, true)).toEqual({ sim: { status: "ACTIVE", sessionOnline: true }, userErrors: [] });
      expect((await history(h, op, sim.id)).edges[0]!.node).toMatchObject({ to: "ACTIVE", cause: "NETWORK_SESSION" });
    }
    expect(await reportSession(h, ready!.imsi, false)).toEqual({ sim: { status: "ACTIVE", sessionOnline: false }, userErrors: [] });
  });

  it("S4: sessions on INACTIVE, SUSPENDED and TERMINATED SIMs are refused", async () => {
    const [inactive, suspended, terminated] = await ownSims(h, op, 3);
    await simAction(h, op, "deactivateSim", inactive!.id);
    await simAction(h, op, "suspendSim", suspended!.id);
    await setProtection(h, op, terminated!.id, false);
    await simAction(h, op, "terminateSim", terminated!.id);
    expect(codes(await reportSession(h, inactive!.imsi, true))).toEqual(["INVALID_STATUS_TRANSITION"]);
    expect(codes(await reportSession(h, suspended!.imsi, true))).toEqual(["INVALID_STATUS_TRANSITION"]);
    expect(codes(await reportSession(h, terminated!.imsi, true))).toEqual(["SIM_TERMINATED"]);
    expect(codes(await reportSession(h, "440109999999999", true))).toEqual(["NOT_FOUND"]);
  });

  it("O6: sessions are audited in the SIM owner's log, by the platform", async () => {
    const [sim] = await ownSims(h, op, 1);
    await reportSession(h, sim!.imsi, true);
    const log = await h.ok(`{ viewer { auditLog(first: 1) { edges { node { action actor targetIds } } } } }`, {}, op.token);
    expect(log.viewer.auditLog.edges[0].node).toEqual({ action: "adminReportSession", actor: "platform", targetIds: [sim!.id] });
  });
});

describe("S6/S8 termination", () => {
  it("S6: protection is ON by default and refuses termination; OFF allows it, immediately and for good", async () => {
    const [sim] = await ownSims(h, op, 1);
    await simAction(h, op, "activateSim", sim!.id);
    expect(codes(await simAction(h, op, "terminateSim", sim!.id))).toEqual(["TERMINATION_PROTECTED"]);
    await setProtection(h, op, sim!.id, false);
    const done = await h.ok(`mutation($id: ID!) { terminateSim(input: { simId: $id }) { sim { status terminatedAt sessionOnline allowedActions returnRequired } userErrors { code } } }`, { id: sim!.id }, op.token);
    expect(done.terminateSim).toEqual({ sim: { status: "TERMINATED", terminatedAt: expect.any(String), sessionOnline: false, allowedActions: [], returnRequired: false }, userErrors: [] });
    for (const m of ["activateSim", "deactivateSim", "setSimToStandby", "suspendSim", "terminateSim"]) {
      expect(codes(await simAction(h, op, m, sim!.id))).toEqual(["SIM_TERMINATED"]);
    }
    const protection = await h.ok(`mutation($id: ID!) { setSimTerminationProtection(input: { simId: $id, enabled: true }) { userErrors { code } } }`, { id: sim!.id }, op.token);
    expect(codes(protection.setSimTerminationProtection)).toEqual(["SIM_TERMINATED"]);
  });

  it("S8: a terminated JAPAN SIM is flagged returnRequired; GLOBAL is not", async () => {
    const [japan] = await ownSims(h, op, 1, { coverage: "JAPAN" });
    await setProtection(h, op, japan!.id, false);
    const r = await h.ok(`mutation($id: ID!) { terminateSim(input: { simId: $id }) { sim { returnRequired coverage } } }`, { id: japan!.id }, op.token);
    expect(r.terminateSim.sim).toEqual({ returnRequired: true, coverage: "JAPAN" });
  });
});
