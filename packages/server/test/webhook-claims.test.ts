// V8: the claim itself, on the database of the run: which due deliveries one claim leases, in what
// order, within the per-endpoint budget, and that claims racing each other never lease one
// delivery twice. (SQLite reads, ranks and leases in steps on the writer; PostgreSQL in one
// statement with SKIP LOCKED: both must answer the same.)
import { afterAll, beforeEach, expect, it } from "vitest";
import { createDb, parseDatabaseUrl, providerOf } from "@simgate/schema/db/database";
import { migrate } from "@simgate/schema/db/migrate";
import { claimDueDeliveries, type ClaimOptions } from "@simgate/schema/webhooks/deliveries";
import { createTestDatabase } from "./support/test-database.ts";

const database = await createTestDatabase();
await migrate(parseDatabaseUrl(database.url));
const db = await createDb(parseDatabaseUrl(database.url), { poolSize: 6 });
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

const base = new Date("2026-06-01T00:00:00.000Z");
const at = (ms: number) => new Date(base.getTime() + ms);
let operatorRowId = "";
let sequence = 0n;

beforeEach(async () => {
  await db.webhookDelivery.deleteMany({});
  await db.webhookEndpoint.deleteMany({});
  await db.event.deleteMany({});
  await db.operator.deleteMany({});
  const operator = await db.operator.create({ data: { operatorId: "CLAIMS", name: "Claims", passwordHash: "x" } });
  operatorRowId = operator.id;
});

async function endpoint(name: string, enabled = true): Promise<string> {
  const row = await db.webhookEndpoint.create({ data: { operatorId: operatorRowId, url: `https://${name}.example/hook`, secret: "v1.sealed", enabled } });
  return row.id;
}

/** A due delivery of a fresh event to `endpointId`, due at base + dueMs. */
async function delivery(endpointId: string, dueMs: number, extra: { leaseUntil?: Date; status?: "PENDING" | "SUCCEEDED" } = {}): Promise<string> {
  sequence += 1n;
  const event = await db.event.create({
    data: { operatorId: operatorRowId, sequence, type: "SIM_UPDATED", at: at(dueMs), actor: "system", imsi: `44010${String(sequence).padStart(10, "0")}`, data: JSON.stringify({ n: Number(sequence) }) },
  });
  const row = await db.webhookDelivery.create({
    data: { endpointId, eventId: event.id, status: extra.status ?? "PENDING", nextAttemptAt: at(dueMs), createdAt: at(dueMs), leaseUntil: extra.leaseUntil ?? null, leaseOwner: extra.leaseUntil ? "another" : null },
  });
  return row.id;
}

const options = (overrides: Partial<ClaimOptions> = {}): ClaimOptions => ({
  provider: providerOf(db),
  now: at(60_000),
  leaseMs: 40_000,
  limit: 16,
  perEndpoint: 2,
  inFlight: new Map(),
  ...overrides,
});

it("V8: a claim leases due deliveries round-robin across endpoints, oldest first within each, at most perEndpoint each, and returns what the attempt needs", async () => {
  const [a, b, c] = [await endpoint("a"), await endpoint("b"), await endpoint("c")];
  const a1 = await delivery(a, 1);
  const a2 = await delivery(a, 2);
  await delivery(a, 3);
  const b1 = await delivery(b, 10);
  await delivery(b, 11);
  await delivery(b, 12);
  const c1 = await delivery(c, 20);
  await delivery(c, 120_000); // not due yet
  await delivery(c, 5, { status: "SUCCEEDED" }); // settled
  await delivery(c, 6, { leaseUntil: at(90_000) }); // leased by another attempt

  // b has one attempt in flight here. A claim of 2 takes every endpoint's first rank before
  // anyone's second: a's and c's oldest (b's oldest is its second attempt in flight).
  const claimed = await claimDueDeliveries(db, options({ limit: 2, inFlight: new Map([[b, 1]]) }));
  expect(claimed.map((d) => d.id)).toEqual([a1, c1]);
  // With one in flight each, a claim of 16 takes what fits the budget of 2: a's and b's next.
  const next = await claimDueDeliveries(db, options({ inFlight: new Map([[a, 1], [b, 1], [c, 1]]) }));
  expect(next.map((d) => d.id)).toEqual([a2, b1]);
  const first = claimed[0]!;
  const rows = await db.webhookDelivery.findMany({ where: { id: { in: claimed.map((d) => d.id) } } });
  for (const row of rows) {
    expect(row.leaseOwner).toBe(first.leaseOwner);
    expect(row.leaseUntil).toEqual(at(100_000));
    expect(row.lastAttemptAt).toEqual(at(60_000));
  }
});

it("V8: an endpoint at its in-flight budget is skipped, so its backlog never fills a claim that others' deliveries wait for", async () => {
  const [slow, fast] = [await endpoint("slow"), await endpoint("fast")];
  for (let i = 0; i < 60; i++) await delivery(slow, i);
  const fastOne = await delivery(fast, 1000);
  const claimed = await claimDueDeliveries(db, options({ inFlight: new Map([[slow, 2]]) }));
  expect(claimed.map((d) => d.id)).toEqual([fastOne]);
});

it("V8: disabled endpoints' deliveries and expired leases: the first are never claimed, the second are claimed again", async () => {
  const [off, on] = [await endpoint("off", false), await endpoint("on")];
  await delivery(off, 1);
  const expired = await delivery(on, 2, { leaseUntil: at(59_999) });
  const claimed = await claimDueDeliveries(db, options());
  expect(claimed.map((d) => d.id)).toEqual([expired]);
  expect(claimed[0]!.attempts).toBe(1);
});

it("V8: claims racing each other lease every due delivery once, never one twice", async () => {
  const endpoints = await Promise.all(["r1", "r2", "r3"].map((n) => endpoint(n)));
  const all = new Set<string>();
  for (let i = 0; i < 30; i++) all.add(await delivery(endpoints[i % 3]!, i));
  const ids: string[] = [];
  // Racing rounds until nothing is left. (On PostgreSQL a claim skips the rows another claim has
  // locked as candidates, so a racing claim may come back short; the next round takes the rest.)
  for (let round = 0; round < 30; round++) {
    const claims = await Promise.all(Array.from({ length: 6 }, () => claimDueDeliveries(db, options({ limit: 5, perEndpoint: 10 }))));
    const taken = claims.flat().map((d) => d.id);
    if (taken.length === 0) break;
    ids.push(...taken);
  }
  expect(ids.length).toBe(new Set(ids).size);
  expect(new Set(ids)).toEqual(all);
});
