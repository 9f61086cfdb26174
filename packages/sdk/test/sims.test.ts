// sims.*, audit.* and the administrator's SIM calls against a real server (S1–S7, O5, O6).
import { beforeAll, describe, expect, it } from "vitest";
import { TerminateSimsDocument } from "../src/generated/graphql.ts";
import { newSimSpecs, ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { startServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let op: TestOperator;

beforeAll(async () => {
  // The scheduler stays out of the way: adminRunDueJobs applies the due expiry itself.
  server = await startServer({ env: { SIMGATE_SCHEDULER_INTERVAL_MS: "60000" } });
  op = await signUp(server);
});

describe("admin inventory", () => {
  it("S1: provisionSims adds SIMs and lists refused ones with their input path", async () => {
    const [fresh, bad] = newSimSpecs(2);
    const outcome = ok(await server.adminClient.admin.provisionSims([fresh!, { ...bad!, imsi: "123" }]));
    expect(outcome.provisionedCount).toBe(1);
    expect(outcome.refused).toMatchObject([{ code: "INVALID_INPUT", field: ["input", "sims", "1", "imsi"] }]);
    // Nothing added: a refusal.
    expect(await server.adminClient.admin.provisionSims([fresh!])).toMatchObject({ ok: false, userErrors: [{ code: "INVALID_INPUT" }] });
  });
});

describe("sims", () => {
  it("S1: register, get by IMSI and by ID; a wrong secret is SIM_REGISTRATION_INVALID", async () => {
    const [spec] = newSimSpecs(1, { coverage: "JAPAN" });
    ok(await server.adminClient.admin.provisionSims([spec!]));
    expect(await op.client.sims.register({ imsi: spec!.imsi, registrationSecret: "wrong secret" })).toMatchObject({
      ok: false,
      userErrors: [{ code: "SIM_REGISTRATION_INVALID" }],
    });
    const sim = ok(await op.client.sims.register({ imsi: spec!.imsi, registrationSecret: spec!.registrationSecret }));
    expect(sim).toMatchObject({ imsi: spec!.imsi, status: "READY", terminationProtected: true, coverage: "JAPAN" });
    expect(await op.client.sims.get(spec!.imsi)).toEqual(sim);
    expect(await op.client.sims.getById(sim.id)).toEqual(sim);
    expect(await op.client.sims.get("440109999999999")).toBeNull();
    expect(await op.client.sims.getById(op.id)).toBeNull(); // an operator's ID names no SIM
  });

  it("S3: activate, deactivate, standby, suspend, terminate follow the state machine; history records them", async () => {
    const [sim] = await ownSims(server, op, 1);
    expect(ok(await op.client.sims.standby(sim!.id)).status).toBe("STANDBY");
    expect(ok(await op.client.sims.activate(sim!.id)).status).toBe("ACTIVE");
    expect(await op.client.sims.standby(sim!.id)).toMatchObject({ ok: false, userErrors: [{ code: "INVALID_STATUS_TRANSITION" }] });
    expect(ok(await op.client.sims.suspend(sim!.id)).status).toBe("SUSPENDED");
    expect(ok(await op.client.sims.deactivate(sim!.id)).status).toBe("INACTIVE");
    expect(await op.client.sims.terminate(sim!.id)).toMatchObject({ ok: false, userErrors: [{ code: "TERMINATION_PROTECTED" }] });
    expect(ok(await op.client.sims.setProtection({ simId: sim!.id, enabled: false })).terminationProtected).toBe(false);
    const terminated = ok(await op.client.sims.terminate(sim!.id));
    expect(terminated).toMatchObject({ status: "TERMINATED", allowedActions: [] });

    const page = await op.client.sims.history({ simId: sim!.id, first: 2 });
    expect(page.totalCount).toBe(6);
    expect(page.nodes.map((c) => c.to)).toEqual(["TERMINATED", "INACTIVE"]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    const all = await op.client.sims.history.collect({ simId: sim!.id, pageSize: 2 });
    expect(all.map((c) => c.to)).toEqual(["TERMINATED", "INACTIVE", "SUSPENDED", "ACTIVE", "STANDBY", "READY"]);
    expect(all.find((c) => c.from === "SUSPENDED")?.reactivation).toBe(true);
    const iterated = [];
    for await (const change of op.client.sims.history.iterate({ simId: sim!.id, pageSize: 4 })) iterated.push(change);
    expect(iterated).toEqual(all);
    expect(await op.client.sims.history.collect({ simId: "nonsense" })).toEqual([]);
  });

  it("S6: terminateMany answers one result per SIM, in input order", async () => {
    const sims = await ownSims(server, op, 3);
    ok(await op.client.sims.setProtection({ simId: sims[0]!.id, enabled: false }));
    ok(await op.client.sims.setProtection({ simId: sims[2]!.id, enabled: false }));
    const results = ok(await op.client.sims.terminateMany([sims[2]!.id, sims[1]!.id, sims[0]!.id]));
    expect(results.map((r) => [r.simId, r.sim?.status, r.userErrors.map((e) => e.code)])).toEqual([
      [sims[2]!.id, "TERMINATED", []],
      [sims[1]!.id, "READY", ["TERMINATION_PROTECTED"]],
      [sims[0]!.id, "TERMINATED", []],
    ]);
    // One request of 1,001 is refused as a whole (terminateMany never sends one: it chunks).
    const { data } = await op.client.urql.mutation(TerminateSimsDocument, { input: { simIds: Array.from({ length: 1001 }, () => sims[1]!.id) } }, { fetchOptions: { headers: { "idempotency-key": crypto.randomUUID() } } }).toPromise();
    expect(data?.terminateSims.userErrors).toMatchObject([{ code: "TOO_MANY_ITEMS" }]);
  });

  it("update renames and retags; list filters by tag, status and search, ordered", async () => {
    const sims = await ownSims(server, op, 3);
    for (const [i, sim] of sims.entries()) {
      const updated = ok(await op.client.sims.update({ simId: sim.id, name: `meter-${i}`, tags: [{ name: "site", value: i < 2 ? "osaka-1" : "tokyo" }] }));
      expect(updated).toMatchObject({ name: `meter-${i}`, tags: [{ name: "site", value: i < 2 ? "osaka-1" : "tokyo" }] });
    }
    const osaka = await op.client.sims.list({
      filter: { tag: { name: "site", value: "osaka", match: "PREFIX" } },
      orderBy: { field: "NAME", direction: "DESC" },
      first: 10,
    });
    expect(osaka.totalCount).toBe(2);
    expect(osaka.nodes.map((s) => s.name)).toEqual(["meter-1", "meter-0"]);
    expect(osaka.pageInfo.hasNextPage).toBe(false);
    const searched = await op.client.sims.collect({ filter: { search: "METER-2", status: ["READY"] } });
    expect(searched.map((s) => s.id)).toEqual([sims[2]!.id]);
    const firstTwo = await op.client.sims.collect({ orderBy: { field: "IMSI" }, limit: 2, pageSize: 1 });
    expect(firstTwo).toHaveLength(2);
    expect(firstTwo[0]!.imsi < firstTwo[1]!.imsi).toBe(true);
  });

  it("S4, S7: reportSession, setExpiry, clearExpiry and runDueJobs", async () => {
    const [a, b] = await ownSims(server, op, 2);
    const online = ok(await server.adminClient.admin.reportSession({ imsi: a!.imsi, online: true }));
    expect(online).toMatchObject({ imsi: a!.imsi, status: "ACTIVE", sessionOnline: true });
    expect(await server.adminClient.admin.reportSession({ imsi: "440100000000001", online: true })).toMatchObject({
      ok: false,
      userErrors: [{ code: "NOT_FOUND" }],
    });

    const past = new Date(Date.now() - 60_000).toISOString();
    expect(await op.client.sims.setExpiry({ simId: b!.id, expiresAt: past, action: "SUSPEND" })).toMatchObject({
      ok: false,
      userErrors: [{ code: "EXPIRY_IN_PAST" }],
    });
    const later = new Date(Date.now() + 3_600_000).toISOString();
    expect(ok(await op.client.sims.setExpiry({ simId: b!.id, expiresAt: later, action: "SUSPEND" })).expiry?.action).toBe("SUSPEND");
    expect(ok(await op.client.sims.clearExpiry(b!.id)).expiry).toBeNull();

    const soon = new Date(Date.now() + 1_500).toISOString();
    ok(await op.client.sims.setExpiry({ simId: a!.id, expiresAt: soon, action: "DEACTIVATE" }));
    await new Promise((resolve) => setTimeout(resolve, 1_700));
    const run = ok(await server.adminClient.admin.runDueJobs());
    expect(run.expiriesApplied).toBe(1);
    expect((await op.client.sims.getById(a!.id))?.status).toBe("INACTIVE");
  });
});

describe("audit", () => {
  it("O6: list, iterate and collect the audit log with a filter", async () => {
    const entries = await op.client.audit.collect({ filter: { action: "terminateSims" } });
    expect(entries.length).toBeGreaterThanOrEqual(2);
    expect(entries.every((e) => e.action === "terminateSims")).toBe(true);
    expect(entries.map((e) => e.result).sort()).toEqual(["REFUSED", "SUCCEEDED"]);
    expect(entries.find((e) => e.result === "REFUSED")?.errorCodes).toEqual(["TOO_MANY_ITEMS"]);

    const page = await op.client.audit.list({ first: 3 });
    expect(page.nodes).toHaveLength(3);
    expect(page.totalCount).toBeGreaterThan(10);
    let count = 0;
    for await (const entry of op.client.audit.iterate({ pageSize: 7 })) {
      expect(entry.at).toBeTruthy();
      count += 1;
    }
    expect(count).toBe(page.totalCount);
  });
});
