// The "changes nothing" snapshot is only as good as the tables it reads: it must read every table
// the database has, bar the exclusions it names with their reasons.
import { describe, expect, it } from "vitest";
import { modelNames } from "@simgate/schema/db/models";
import { startHarness } from "./support/harness.ts";
import { SNAPSHOT_EXCLUSIONS, SNAPSHOT_MODELS, snapshot } from "./support/snapshot.ts";

const h = await startHarness();

/** Tables as the engine's catalog lists them, the migration ledger aside. */
async function catalogTables(): Promise<string[]> {
  const rows =
    h.app.target.provider === "sqlite"
      ? await h.app.db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite\\_%' ESCAPE '\\'`)
      : await h.app.db.$queryRawUnsafe<{ name: string }[]>(`SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`);
  return rows.map((r) => r.name).filter((n) => n !== "_simgate_migrations").sort();
}

describe("bad input changes nothing: the snapshot", () => {
  it("reads every model of the datamodel and every table of the database but the named exclusions", async () => {
    const excluded = Object.keys(SNAPSHOT_EXCLUSIONS).sort();
    expect(excluded).toEqual(["AuditLogEntry", "IdempotencyRecord", "RateLimitCounter"]);
    for (const model of excluded) expect(modelNames).toContain(model);
    expect([...SNAPSHOT_MODELS, ...excluded].sort()).toEqual([...modelNames].sort());
    expect([...SNAPSHOT_MODELS, ...excluded].sort()).toEqual(await catalogTables());
  });

  it("sees a row written to a covered table, and not one written to an excluded table", async () => {
    const before = await snapshot(h.app.db);
    await h.app.db.rateLimitCounter.create({ data: { key: "snapshot-test", points: 1, resetAt: new Date() } });
    expect(await snapshot(h.app.db)).toBe(before);
    await h.app.db.accountRecoveryRequest.create({ data: { givenEmail: "someone@example.com" } });
    expect(await snapshot(h.app.db)).not.toBe(before);
  });
});
