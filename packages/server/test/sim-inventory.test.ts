// S1 inventory and registration through the endpoint.
import { describe, expect, it } from "vitest";
import { signUp } from "./support/accounts.ts";
import { MAX_PROVISION_BATCH } from "@simgate/schema/domain/sim-inventory";
import { ADMIN_SECRET, startHarness } from "./support/harness.ts";
import { snapshot } from "./support/snapshot.ts";
import { history, newSimSpec, provision, register } from "./support/sims.ts";

const h = await startHarness();
const codes = (r: { userErrors: { code: string }[] }) => r.userErrors.map((e) => e.code);

describe("S1 provisioning (O5)", () => {
  it("adds a batch to the inventory; operators do not see inventory SIMs", async () => {
    const sims = Array.from({ length: 3 }, () => newSimSpec());
    expect(await provision(h, sims)).toEqual({ provisionedCount: 3, userErrors: [] });
    const op = await signUp(h);
    expect(await h.ok(`query($imsi: String!) { sim(imsi: $imsi) { id } }`, { imsi: sims[0]!.imsi }, op.token)).toEqual({ sim: null });
  });

  it("refuses malformed and duplicate SIMs one by one, with their input path, and adds the rest", async () => {
    const good = newSimSpec();
    const taken = newSimSpec();
    await provision(h, [taken]);
    const result = await provision(h, [
      good,
      { ...newSimSpec(), imsi: "12345" },
      { ...newSimSpec(), iccid: "123" },
      { ...newSimSpec(), imsi: good.imsi },
      { ...newSimSpec(), iccid: taken.iccid },
    ]);
    expect(result.provisionedCount).toBe(1);
    expect(result.userErrors.map((e) => [e.code, e.field])).toEqual([
      ["INVALID_INPUT", ["input", "sims", "1", "imsi"]],
      ["INVALID_INPUT", ["input", "sims", "2", "iccid"]],
      ["INVALID_INPUT", ["input", "sims", "3"]],
      ["INVALID_INPUT", ["input", "sims", "4"]],
    ]);
  });

  it("takes 1,000 SIMs in one call and refuses 1,001 without adding any", async () => {
    const many = Array.from({ length: MAX_PROVISION_BATCH }, () => newSimSpec());
    expect((await provision(h, many)).provisionedCount).toBe(MAX_PROVISION_BATCH);
    const before = await h.app.db.sim.count();
    const tooMany = await provision(h, Array.from({ length: MAX_PROVISION_BATCH + 1 }, () => newSimSpec()));
    expect(tooMany).toEqual({ provisionedCount: 0, userErrors: [expect.objectContaining({ code: "TOO_MANY_ITEMS" })] });
    expect(await h.app.db.sim.count()).toBe(before);
  });

  it("O5: only the administrator provisions", async () => {
    const op = await signUp(h);
    const r = await h.gql(`mutation($i: AdminProvisionSimsInput!) { adminProvisionSims(input: $i) { provisionedCount } }`, { i: { sims: [newSimSpec()] } }, op.token);
    expect(r.errors?.[0]?.extensions?.code).toBe("FORBIDDEN");
  });
});

describe("S1 registration", () => {
  it("S1/T8: a registered SIM starts READY with protection ON, owned from the Asia/Tokyo date of registration", async () => {
    h.clock.set("2027-06-01T15:30:00Z"); // 00:30 on 2 June in Tokyo, still 1 June in UTC
    try {
      const op = await signUp(h);
      const spec = newSimSpec({ coverage: "JAPAN" });
      await provision(h, [spec]);
      const r = await register(h, op, spec);
      expect(r.userErrors).toEqual([]);
      expect(r.sim).toMatchObject({
        imsi: spec.imsi,
        iccid: spec.iccid,
        msisdn: spec.msisdn,
        coverage: "JAPAN",
        status: "READY",
        terminationProtected: true,
        sessionOnline: false,
        returnRequired: false,
        expiry: null,
        name: null,
        tags: [],
        ownedSince: "2027-06-02",
        allowedActions: ["ACTIVATE", "DEACTIVATE", "SET_TO_STANDBY", "SUSPEND"],
      });
      expect((await history(h, op, r.sim.id)).edges.map((e) => e.node)).toEqual([{ from: null, to: "READY", cause: "OPERATOR", reactivation: false }]);
    } finally {
      h.clock.reset();
    }
  });

  it("SIM_REGISTRATION_INVALID is the same for an unknown IMSI and a wrong secret", async () => {
    const op = await signUp(h);
    const spec = newSimSpec();
    await provision(h, [spec]);
    const wrongSecret = await register(h, op, { ...spec, registrationSecret: "not-the-secret" });
    const unknown = await register(h, op, newSimSpec());
    expect(wrongSecret).toEqual(unknown);
    expect(codes(wrongSecret)).toEqual(["SIM_REGISTRATION_INVALID"]);
  });

  it("SIM_ALREADY_REGISTERED for a second registration, by anyone; the owner keeps it", async () => {
    const a = await signUp(h);
    const b = await signUp(h);
    const spec = newSimSpec();
    await provision(h, [spec]);
    expect(codes(await register(h, a, spec))).toEqual([]);
    const before = await snapshot(h.app.db);
    expect(codes(await register(h, b, spec))).toEqual(["SIM_ALREADY_REGISTERED"]);
    expect(codes(await register(h, a, spec))).toEqual(["SIM_ALREADY_REGISTERED"]);
    expect(await snapshot(h.app.db)).toBe(before);
    expect((await h.ok(`query($imsi: String!) { sim(imsi: $imsi) { imsi } }`, { imsi: spec.imsi }, a.token)).sim).toEqual({ imsi: spec.imsi });
  });

  it("two operators registering one SIM at once: exactly one wins", async () => {
    const ops = await Promise.all(Array.from({ length: 6 }, () => signUp(h)));
    const spec = newSimSpec();
    await provision(h, [spec]);
    const results = await Promise.all(ops.map((op) => register(h, op, spec)));
    expect(results.filter((r) => r.userErrors.length === 0)).toHaveLength(1);
    expect(results.filter((r) => codes(r)[0] === "SIM_ALREADY_REGISTERED")).toHaveLength(5);
  });

  it("O6: registration is audited, refusals included: SUCCEEDED for the SIM registered, REFUSED with each refusal's code", async () => {
    const op = await signUp(h);
    const spec = newSimSpec();
    await provision(h, [spec]);
    const registered = await register(h, op, spec);
    expect(codes(registered)).toEqual([]);
    expect(codes(await register(h, op, newSimSpec()))).toEqual(["SIM_REGISTRATION_INVALID"]);
    expect(codes(await register(h, op, spec))).toEqual(["SIM_ALREADY_REGISTERED"]);
    const log = await h.ok(`{ viewer { auditLog(first: 3, filter: { action: "registerSim" }) { edges { node { action result errorCodes } } } } }`, {}, op.token);
    expect(log.viewer.auditLog.edges.map((e: { node: unknown }) => e.node)).toEqual([
      { action: "registerSim", result: "REFUSED", errorCodes: ["SIM_ALREADY_REGISTERED"] },
      { action: "registerSim", result: "REFUSED", errorCodes: ["SIM_REGISTRATION_INVALID"] },
      { action: "registerSim", result: "SUCCEEDED", errorCodes: [] },
    ]);
  });

  it("the admin secret cannot register SIMs (UNAUTHENTICATED: it is not an operator)", async () => {
    const r = await h.gql(`mutation { registerSim(input: { imsi: "1", registrationSecret: "x" }) { userErrors { code } } }`, {}, ADMIN_SECRET);
    expect(r.errors?.[0]?.extensions?.code).toBe("UNAUTHENTICATED");
  });
});
