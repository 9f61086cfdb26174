import { describe, expect, it } from "vitest";
import { isEmptyMigration, pendingSql } from "../../../scripts/migrations.ts";
import { committedMigrations } from "../src/db/migrate.ts";

describe("committed migrations", () => {
  it("bring both engines to the current prisma/schema.prisma (run `pnpm db:migration <name>` after a change)", async () => {
    const pending = await pendingSql();
    expect(isEmptyMigration(pending.sqlite), pending.sqlite).toBe(true);
    expect(isEmptyMigration(pending.postgresql), pending.postgresql).toBe(true);
  });

  it("exist for SQLite and PostgreSQL alike, under the same names", () => {
    const names = (engine: "sqlite" | "postgresql") => committedMigrations(engine).map((m) => m.name);
    expect(names("sqlite").length).toBeGreaterThan(0);
    expect(names("postgresql")).toEqual(names("sqlite"));
  });
});
