// Pagination over 1,000 SIMs: iterate and collect ask for explicit page sizes and see every SIM once.
import { beforeAll, describe, expect, it } from "vitest";
import type { FetchFunction } from "../src/index.ts";
import { newSimSpecs, ok, signUp, type TestOperator } from "./support/fixtures.ts";
import { startServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let op: TestOperator;
const firsts: (number | undefined)[] = [];

beforeAll(async () => {
  server = await startServer();
  op = await signUp(server);
  const specs = newSimSpecs(1_000);
  expect(ok(await server.adminClient.admin.provisionSims(specs)).provisionedCount).toBe(1_000);
  for (let i = 0; i < specs.length; i += 50) {
    const batch = await Promise.all(specs.slice(i, i + 50).map((s) => op.client.sims.register({ imsi: s.imsi, registrationSecret: s.registrationSecret })));
    batch.forEach((r) => expect(r.ok).toBe(true));
  }
}, 120_000);

/** The operator's client, recording the `first` of every Sims query. */
function recordingClient() {
  const recordingFetch: FetchFunction = (input, init) => {
    const body = JSON.parse(String(init?.body)) as { operationName: string; variables: { first?: number } };
    if (body.operationName === "Sims") firsts.push(body.variables.first);
    return fetch(input, init);
  };
  return server.client({ token: op.token }, { fetch: recordingFetch });
}

describe("pagination", () => {
  it("S1: iterate with pageSize 100 sees all 1,000 SIMs once, in 10 requests of first: 100", async () => {
    firsts.length = 0;
    const client = recordingClient();
    const seen = new Set<string>();
    let count = 0;
    for await (const sim of client.sims.iterate({ filter: { status: ["READY"] }, pageSize: 100 })) {
      seen.add(sim.id);
      count += 1;
    }
    expect(count).toBe(1_000);
    expect(seen.size).toBe(1_000);
    expect(firsts).toEqual(Array(10).fill(100));
  });

  it("collect stops at the limit and asks only for what it needs", async () => {
    firsts.length = 0;
    const sims = await recordingClient().sims.collect({ orderBy: { field: "IMSI", direction: "DESC" }, pageSize: 100, limit: 250 });
    expect(sims).toHaveLength(250);
    expect(firsts).toEqual([100, 100, 50]);
    const imsis = sims.map((s) => s.imsi);
    expect(imsis).toEqual([...imsis].sort().reverse());
  });

  it("the client's pageSize is the default; list pages by cursor with totalCount", async () => {
    firsts.length = 0;
    const client = server.client({ token: op.token }, { pageSize: 40 });
    const all = await client.sims.collect();
    expect(all).toHaveLength(1_000);
    const page1 = await client.sims.list({ first: 100 });
    const page2 = await client.sims.list({ first: 100, after: page1.pageInfo.endCursor });
    expect(page1.totalCount).toBe(1_000);
    expect([page1.nodes.length, page2.nodes.length, page2.pageInfo.hasNextPage]).toEqual([100, 100, true]);
    expect(new Set([...page1.nodes, ...page2.nodes].map((s) => s.id)).size).toBe(200);
  });

  it("breaking out of a for-await loop stops fetching", async () => {
    firsts.length = 0;
    let n = 0;
    for await (const _sim of recordingClient().sims.iterate({ pageSize: 10 })) if (++n === 15) break;
    expect(firsts).toEqual([10, 10]);
    await expect(recordingClient().sims.collect({ pageSize: 0 })).rejects.toBeInstanceOf(RangeError);
  });
});
