// G1–G3 through the SDK: groups CRUD, and setSimGroup with any number of SIMs, sent 1,000 per
// request with results concatenated in input order.
import { beforeAll, describe, expect, it } from "vitest";
import { BULK_CHUNK_SIZE, type Sim } from "../src/index.ts";
import { ok, ownSims, signUp, type TestOperator } from "./support/fixtures.ts";
import { recordingFetch } from "./support/recording.ts";
import { startServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let op: TestOperator;

beforeAll(async () => {
  server = await startServer();
  op = await signUp(server);
});

describe("groups (G1, G2)", () => {
  it("G1: creates, renames, reads and lists groups; a taken name is GROUP_NAME_TAKEN", async () => {
    const fleet = ok(await op.client.groups.create({ name: "fleet-a", description: "Tokyo meters" }));
    expect(fleet).toMatchObject({ name: "fleet-a", description: "Tokyo meters", simCount: 0 });
    const spare = ok(await op.client.groups.create({ name: "spare" }));
    expect(await op.client.groups.create({ name: "fleet-a" })).toMatchObject({ ok: false, userErrors: [{ code: "GROUP_NAME_TAKEN", field: ["input", "name"] }] });
    const renamed = ok(await op.client.groups.update({ groupId: fleet.id, name: "fleet-tokyo", description: "" }));
    expect(renamed).toMatchObject({ id: fleet.id, name: "fleet-tokyo", description: null });
    expect(await op.client.groups.get(fleet.id)).toEqual(renamed);
    expect(await op.client.groups.get(op.id)).toBeNull();
    const all = await op.client.groups.collect({ pageSize: 1 });
    expect(all.map((g) => g.id)).toEqual([fleet.id, spare.id]);
    expect((await op.client.groups.list({ first: 1 })).totalCount).toBe(2);
  });

  it("G2: a group with SIMs cannot be deleted (GROUP_NOT_EMPTY); once empty it can", async () => {
    const group = ok(await op.client.groups.create({ name: "to-delete" }));
    const [sim] = await ownSims(server, op, 1);
    ok(await op.client.groups.setSimGroup({ groupId: group.id, simIds: [sim!.id] }));
    expect(await op.client.groups.delete(group.id)).toMatchObject({ ok: false, userErrors: [{ code: "GROUP_NOT_EMPTY" }] });
    ok(await op.client.groups.setSimGroup({ groupId: null, simIds: [sim!.id] }));
    expect(ok(await op.client.groups.delete(group.id))).toBe(group.id);
    expect(await op.client.groups.get(group.id)).toBeNull();
  });
});

describe("setSimGroup with any number of SIMs (G1)", () => {
  let sims: Sim[];
  beforeAll(async () => {
    sims = await ownSims(server, op, 2_500);
  });

  it("G1: 2,500 SIMs go in as 3 requests of at most 1,000, each with its own idempotency key; one result per SIM in input order", async () => {
    const group = ok(await op.client.groups.create({ name: "big-fleet" }));
    const recorder = recordingFetch();
    const client = server.client({ token: op.token }, { fetch: recorder.fetch });
    // Input order differs from registration order, so concatenation in order is what is checked.
    const ids = sims.map((s) => s.id).reverse();
    // One SIM of another operator at position 1,500 (inside the second chunk): refused on its own.
    const other = await signUp(server);
    const [foreign] = await ownSims(server, other, 1);
    ids.splice(1_500, 0, foreign!.id);

    const results = ok(await client.groups.setSimGroup({ groupId: group.id, simIds: ids }));

    const sent = recorder.of("SetSimGroup");
    expect(sent).toHaveLength(3);
    expect(new Set(sent.map((r) => r.idempotencyKey)).size).toBe(3);
    expect(results.map((r) => r.simId)).toEqual(ids);
    const refused = results.filter((r) => r.userErrors.length > 0);
    expect(refused.map((r) => [r.simId, r.userErrors[0]!.code, r.userErrors[0]!.field])).toEqual([[foreign!.id, "NOT_FOUND", ["input", "simIds", "1500"]]]);
    expect(results.filter((r) => r.userErrors.length === 0).every((r) => r.sim !== null)).toBe(true);
    expect((await op.client.groups.get(group.id))!.simCount).toBe(2_500);
    expect((await op.client.sims.list({ filter: { groupId: group.id }, first: 1 })).totalCount).toBe(2_500);

    const out = ok(await op.client.groups.setSimGroup({ groupId: null, simIds: sims.map((s) => s.id) }));
    expect(out.map((r) => r.simId)).toEqual(sims.map((s) => s.id));
    expect((await op.client.groups.get(group.id))!.simCount).toBe(0);
  });

  it("G1: a request refused as a whole (no such group) stops at the first chunk: nothing sent after it, nothing changed", async () => {
    const recorder = recordingFetch();
    const client = server.client({ token: op.token }, { fetch: recorder.fetch });
    const result = await client.groups.setSimGroup({ groupId: "U2ltR3JvdXA6bm9wZQ==", simIds: sims.slice(0, BULK_CHUNK_SIZE + 1).map((s) => s.id) });
    expect(result).toMatchObject({ ok: false, userErrors: [{ code: "NOT_FOUND" }], completed: [] });
    expect(recorder.of("SetSimGroup")).toHaveLength(1);
  });

  it("G1: no SIMs, no request", async () => {
    const recorder = recordingFetch();
    const client = server.client({ token: op.token }, { fetch: recorder.fetch });
    expect(await client.groups.setSimGroup({ groupId: null, simIds: [] })).toEqual({ ok: true, data: [] });
    expect(recorder.requests).toEqual([]);
  });
});
