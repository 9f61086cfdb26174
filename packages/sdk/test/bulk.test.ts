// S11 and S6 through the SDK: the bulk helpers take any number of SIMs, send them 1,000 per
// request, one request after the other, each with its own idempotency key, and answer one result
// per SIM in input order.
import { beforeAll, describe, expect, it } from "vitest";
import { SimgateAbortError, type Sim } from "../src/index.ts";
import { newSimSpecs, ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { recordingFetch } from "./support/recording.ts";
import { startServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let op: TestOperator;

beforeAll(async () => {
  server = await startServer();
  op = await signUp(server);
});

/** A client of the operator whose requests are recorded. */
function recorded() {
  const recorder = recordingFetch();
  return { recorder, client: server.client({ token: op.token }, { fetch: recorder.fetch }) };
}

function expectChunks(requests: { idempotencyKey: string | null }[], count: number) {
  expect(requests).toHaveLength(count);
  expect(new Set(requests.map((r) => r.idempotencyKey)).size).toBe(count);
  expect(requests.every((r) => r.idempotencyKey)).toBe(true);
}

describe("bulk helpers over more than 1,000 SIMs (S11)", () => {
  it("S11: registerMany registers 1,500 SIMs in 2 requests; one result per SIM in input order, a bad secret refused on its own", async () => {
    const specs = newSimSpecs(1_500);
    expect(ok(await server.adminClient.admin.provisionSims(specs.slice(0, 1_000))).refused).toEqual([]);
    expect(ok(await server.adminClient.admin.provisionSims(specs.slice(1_000))).refused).toEqual([]);
    const input = specs.map((s) => ({ imsi: s.imsi, registrationSecret: s.registrationSecret })).reverse();
    input[1_200] = { ...input[1_200]!, registrationSecret: "not-the-secret" };
    const { recorder, client } = recorded();

    const results = ok(await client.sims.registerMany(input));

    expectChunks(recorder.of("RegisterSims"), 2);
    expect(results.map((r) => r.simId)).toEqual(input.map((s) => s.imsi));
    expect(results.map((r) => r.sim?.imsi ?? null)).toEqual(input.map((s, i) => (i === 1_200 ? null : s.imsi)));
    expect(results[1_200]!.userErrors).toMatchObject([{ code: "SIM_REGISTRATION_INVALID" }]);
    expect(results[1_200]!.userErrors[0]!.field?.slice(0, 3)).toEqual(["input", "sims", "1200"]);
    expect(results.filter((r) => r.userErrors.length > 0)).toHaveLength(1);
  });

  describe("on 1,200 of the operator's SIMs", () => {
    let sims: Sim[];
    beforeAll(async () => {
      sims = await ownSims(server, op, 1_200);
    });

    it("S11: applyAction activates 1,200 SIMs in 2 requests, in input order; an action that fits no SIM is refused per SIM, with paths into the whole list", async () => {
      const ids = sims.map((s) => s.id);
      const { recorder, client } = recorded();

      const results = ok(await client.sims.applyAction("ACTIVATE", ids));

      expectChunks(recorder.of("ApplySimAction"), 2);
      expect(results.map((r) => r.simId)).toEqual(ids);
      expect(results.every((r) => r.userErrors.length === 0 && r.sim?.status === "ACTIVE")).toBe(true);
      // S3: STANDBY is reached from READY or INACTIVE only.
      const again = ok(await client.sims.applyAction("SET_TO_STANDBY", ids));
      expect(again.map((r) => r.simId)).toEqual(ids);
      const refused = again.filter((r) => r.userErrors.length > 0);
      expect(refused).toHaveLength(1_200);
      expect(refused[1_100]!.userErrors[0]).toMatchObject({ code: "INVALID_STATUS_TRANSITION", field: ["input", "simIds", "1100"] });
    });

    it("S11: addTags and removeTags reach all 1,200 SIMs in 2 requests each, leaving other tags alone", async () => {
      const ids = sims.map((s) => s.id);
      ok(await op.client.sims.update({ simId: ids[0]!, tags: [{ name: "keep", value: "me" }] }));
      const { recorder, client } = recorded();

      const added = ok(await client.sims.addTags(ids, [{ name: "site", value: "tokyo-3" }, { name: "batch", value: "b7" }]));
      expect(added.map((r) => r.simId)).toEqual(ids);
      expectChunks(recorder.of("AddSimTags"), 2);
      expect((await op.client.sims.list({ filter: { tag: { name: "site", value: "tokyo-3" } }, first: 1 })).totalCount).toBe(1_200);
      expect(added[0]!.sim!.tags).toEqual(expect.arrayContaining([{ name: "keep", value: "me" }, { name: "site", value: "tokyo-3" }]));

      const removed = ok(await client.sims.removeTags(ids, ["site"]));
      expect(removed.map((r) => r.simId)).toEqual(ids);
      expectChunks(recorder.of("RemoveSimTags"), 2);
      expect((await op.client.sims.list({ filter: { tag: { name: "site", value: "tokyo-3" } }, first: 1 })).totalCount).toBe(0);
      expect((await op.client.sims.list({ filter: { tag: { name: "batch", value: "b7" } }, first: 1 })).totalCount).toBe(1_200);
    });

    it("S6: terminateMany takes 1,200 SIMs in 2 requests; protected ones are refused on their own, in order", async () => {
      const ids = sims.map((s) => s.id);
      // Both sides of the chunk boundary, and the ends.
      const unprotected = new Set([0, 999, 1_000, 1_199]);
      for (const i of unprotected) ok(await op.client.sims.setProtection({ simId: ids[i]!, enabled: false }));
      const { recorder, client } = recorded();

      const results = ok(await client.sims.terminateMany(ids));

      expectChunks(recorder.of("TerminateSims"), 2);
      expect(results.map((r) => r.simId)).toEqual(ids);
      expect(results.map((r) => (r.userErrors[0]?.code ?? r.sim?.status))).toEqual(ids.map((_, i) => (unprotected.has(i) ? "TERMINATED" : "TERMINATION_PROTECTED")));
    });
  });

  it("the call's signal ends a chunked call: chunks after the abort are not sent", async () => {
    const sims = await ownSims(server, op, 1_001);
    const controller = new AbortController();
    const recorder = recordingFetch();
    const client = server.client({ token: op.token }, {
      fetch: async (input, init) => {
        const response = await recorder.fetch(input, init);
        controller.abort();
        return response;
      },
    });
    const error = await client.sims.addTags(sims.map((s) => s.id), [{ name: "x", value: "y" }], { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateAbortError);
    expect(recorder.of("AddSimTags")).toHaveLength(1);
  });
});
