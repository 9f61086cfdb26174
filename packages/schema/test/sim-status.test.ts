import { describe, expect, it } from "vitest";
import { expiryActions, expiryEffect, judgeSetExpiry } from "../src/domain/sim-expiry.ts";
import { checkProvisionItem, checkTags } from "../src/domain/sim-inventory.ts";
import { judgeSessionOpen } from "../src/domain/sim-session.ts";
import { allowedActions, judgeAction, simActions, simStatuses, type SimAction, type SimStatus } from "../src/domain/sim-status.ts";

// S3, written out as the spec states it: the expected outcome of every (status, action) pair.
const expected: Record<SimStatus, Record<SimAction, SimStatus | string>> = {
  READY: { ACTIVATE: "ACTIVE", DEACTIVATE: "INACTIVE", SET_TO_STANDBY: "STANDBY", SUSPEND: "SUSPENDED", TERMINATE: "TERMINATED" },
  ACTIVE: { ACTIVATE: "INVALID_STATUS_TRANSITION", DEACTIVATE: "INACTIVE", SET_TO_STANDBY: "INVALID_STATUS_TRANSITION", SUSPEND: "SUSPENDED", TERMINATE: "TERMINATED" },
  INACTIVE: { ACTIVATE: "ACTIVE", DEACTIVATE: "INVALID_STATUS_TRANSITION", SET_TO_STANDBY: "STANDBY", SUSPEND: "SUSPENDED", TERMINATE: "TERMINATED" },
  STANDBY: { ACTIVATE: "ACTIVE", DEACTIVATE: "INACTIVE", SET_TO_STANDBY: "INVALID_STATUS_TRANSITION", SUSPEND: "SUSPENDED", TERMINATE: "TERMINATED" },
  SUSPENDED: { ACTIVATE: "ACTIVE", DEACTIVATE: "INACTIVE", SET_TO_STANDBY: "INVALID_STATUS_TRANSITION", SUSPEND: "INVALID_STATUS_TRANSITION", TERMINATE: "TERMINATED" },
  TERMINATED: { ACTIVATE: "SIM_TERMINATED", DEACTIVATE: "SIM_TERMINATED", SET_TO_STANDBY: "SIM_TERMINATED", SUSPEND: "SIM_TERMINATED", TERMINATE: "SIM_TERMINATED" },
  TRANSFERRING: { ACTIVATE: "SIM_TRANSFERRING", DEACTIVATE: "SIM_TRANSFERRING", SET_TO_STANDBY: "SIM_TRANSFERRING", SUSPEND: "SIM_TRANSFERRING", TERMINATE: "SIM_TRANSFERRING" },
};

const pairs = simStatuses.flatMap((status) => simActions.map((action) => [status, action] as const));

describe("S3 status machine", () => {
  it.each(pairs)("S3: %s + %s", (status, action) => {
    const judged = judgeAction({ status, subscription: "plan01s", terminationProtected: false }, action);
    const outcome = judged.ok ? judged.transition.to : judged.error.code;
    expect(outcome).toBe(expected[status][action]);
  });

  it("S2: no operator action leads back to READY", () => {
    for (const [status, action] of pairs) {
      const judged = judgeAction({ status, subscription: "plan01s", terminationProtected: false }, action);
      if (judged.ok) expect(judged.transition.to).not.toBe("READY");
    }
  });

  it("S3: plan-D and plan-K have no standby", () => {
    for (const subscription of ["plan-D", "plan-K"]) {
      const judged = judgeAction({ status: "READY", subscription, terminationProtected: true }, "SET_TO_STANDBY");
      expect(judged.ok ? "ok" : judged.error.code).toBe("SUBSCRIPTION_UNSUPPORTED");
    }
    expect(judgeAction({ status: "READY", subscription: "planX3", terminationProtected: true }, "SET_TO_STANDBY").ok).toBe(true);
  });

  it("S3: leaving SUSPENDED is marked as a reactivation", () => {
    const sim = { status: "SUSPENDED" as const, subscription: "plan01s", terminationProtected: false };
    for (const action of ["ACTIVATE", "DEACTIVATE"] as const) {
      const judged = judgeAction(sim, action);
      expect(judged.ok && judged.transition.reactivation).toBe(true);
    }
    const terminate = judgeAction(sim, "TERMINATE");
    expect(terminate.ok && terminate.transition.reactivation).toBe(false);
    const fromActive = judgeAction({ ...sim, status: "ACTIVE" }, "DEACTIVATE");
    expect(fromActive.ok && fromActive.transition.reactivation).toBe(false);
  });

  it("S6: termination protection ON refuses termination", () => {
    const judged = judgeAction({ status: "ACTIVE", subscription: "plan01s", terminationProtected: true }, "TERMINATE");
    expect(judged.ok ? "ok" : judged.error.code).toBe("TERMINATION_PROTECTED");
  });

  it.each(simStatuses.flatMap((status) => [true, false].map((p) => [status, p] as const)))(
    "S3/S6: allowedActions lists exactly the transitions of the written-out table (%s, protected %s)",
    (status, terminationProtected) => {
      for (const subscription of ["plan01s", "plan-D"]) {
        // From the table above and S3/S6, not from judgeAction (which allowedActions is built on).
        const want = simActions.filter((action) => {
          if (!(simStatuses as readonly string[]).includes(expected[status][action])) return false;
          if (action === "TERMINATE" && terminationProtected) return false;
          return !(action === "SET_TO_STANDBY" && subscription === "plan-D");
        });
        expect(allowedActions({ status, subscription, terminationProtected })).toEqual(want);
      }
    },
  );
});

describe("S4 network sessions", () => {
  const now = new Date("2026-11-21T00:00:00Z");
  it.each([
    ["READY", "ACTIVE"],
    ["STANDBY", "ACTIVE"],
    ["TRANSFERRING", "ACTIVE"],
    ["ACTIVE", null],
  ] as const)("S4: a session on %s makes it %s", (status, to) => {
    const outcome = judgeSessionOpen({ status, expiresAt: null }, now);
    expect(outcome.ok && (outcome.transition?.to ?? null)).toBe(to);
  });
  it.each(["INACTIVE", "SUSPENDED", "TERMINATED"] as const)("S4: a session on %s is refused", (status) => {
    expect(judgeSessionOpen({ status, expiresAt: null }, now).ok).toBe(false);
  });
  it("S7: no new session after the expiry time, whatever the status", () => {
    expect(judgeSessionOpen({ status: "ACTIVE", expiresAt: new Date(now.getTime() - 1) }, now).ok).toBe(false);
    expect(judgeSessionOpen({ status: "READY", expiresAt: new Date(now.getTime() + 1000) }, now).ok).toBe(true);
  });
});

describe("S7 expiry", () => {
  const now = new Date("2026-11-21T00:00:00Z");
  const later = new Date("2026-11-22T00:00:00Z");
  const codes = (e: { code: string }[]) => e.map((x) => x.code);

  it("S7: the expiry must be in the future", () => {
    expect(codes(judgeSetExpiry({ status: "ACTIVE", terminationProtected: false }, now, "DO_NOTHING", now))).toEqual(["EXPIRY_IN_PAST"]);
    expect(judgeSetExpiry({ status: "ACTIVE", terminationProtected: false }, later, "DO_NOTHING", now)).toEqual([]);
  });
  it("S7: TERMINATE needs protection OFF when set", () => {
    expect(codes(judgeSetExpiry({ status: "ACTIVE", terminationProtected: true }, later, "TERMINATE", now))).toEqual(["TERMINATION_PROTECTED"]);
    expect(judgeSetExpiry({ status: "ACTIVE", terminationProtected: true }, later, "DEACTIVATE", now)).toEqual([]);
  });
  it("S7: terminated and transferring SIMs take no expiry", () => {
    expect(codes(judgeSetExpiry({ status: "TERMINATED", terminationProtected: false }, later, "DO_NOTHING", now))).toEqual(["SIM_TERMINATED"]);
    expect(codes(judgeSetExpiry({ status: "TRANSFERRING", terminationProtected: false }, later, "DO_NOTHING", now))).toEqual(["SIM_TRANSFERRING"]);
  });
  it.each([
    ["DO_NOTHING", false, null],
    ["DELETE_SESSION", true, null],
    ["DEACTIVATE", true, "INACTIVE"],
    ["SUSPEND", true, "SUSPENDED"],
    ["TERMINATE", true, "TERMINATED"],
  ] as const)("S7: %s cuts the session: %s, status becomes %s", (action, cut, to) => {
    const effect = expiryEffect("ACTIVE", action);
    expect(effect.cutSession).toBe(cut);
    expect(effect.transition?.to ?? null).toBe(to);
  });
  it("S7: a terminated SIM never changes; every action is covered", () => {
    for (const action of expiryActions) expect(expiryEffect("TERMINATED", action)).toEqual({ cutSession: false, transition: null });
  });
});

describe("S1 identifiers and attributes", () => {
  const good = { imsi: "440100123456789", iccid: "8981100000000000001", subscription: "plan01s", registrationSecret: "secret-123" };
  it("S1: IMSI 15 digits, ICCID 19–20 digits", () => {
    expect(checkProvisionItem(good, ["x"])).toEqual([]);
    expect(checkProvisionItem({ ...good, iccid: "89811000000000000012" }, ["x"])).toEqual([]);
    const bad = checkProvisionItem({ ...good, imsi: "44010012345678", iccid: "898110000000000000123" }, ["input", "sims", "0"]);
    expect(bad.map((e) => e.field)).toEqual([["input", "sims", "0", "imsi"], ["input", "sims", "0", "iccid"]]);
  });
  it("tags: names not blank and unique, at most 50", () => {
    expect(checkTags([{ name: "site", value: "tokyo" }], ["t"])).toEqual([]);
    expect(checkTags([{ name: " ", value: "x" }], ["t"]).map((e) => e.code)).toEqual(["INVALID_INPUT"]);
    expect(checkTags([{ name: "a", value: "1" }, { name: "a", value: "2" }], ["t"]).map((e) => e.field)).toEqual([["t", "1", "name"]]);
    expect(checkTags(Array.from({ length: 51 }, (_, i) => ({ name: `n${i}`, value: "" })), ["t"]).map((e) => e.code)).toEqual(["TOO_MANY_ITEMS"]);
  });
});
