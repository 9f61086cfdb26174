// docs/configuration.md is the operators' list of settings: it must name exactly the variables
// config.ts reads, with the defaults config.ts applies.
import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { configSchema, loadConfig } from "../src/config.ts";

const root = resolve(import.meta.dirname, "../../..");
const table = readFileSync(resolve(root, "docs/configuration.md"), "utf8");

/** variable → default cell, from the rows of the table. */
function documentedRows(): Map<string, string> {
  const rows = new Map<string, string>();
  for (const line of table.split("\n")) {
    const cells = line.match(/^\|\s*`([A-Z][A-Z0-9_]*)`\s*\|\s*([^|]*?)\s*\|/);
    if (cells) rows.set(cells[1]!, cells[2]!);
  }
  return rows;
}

const configured = Object.keys(configSchema.shape).sort();

describe.skipIf(process.env.SIMGATE_TEST_DB === "postgres")("docs/configuration.md", () => {
  it("lists every variable config.ts reads, and no other", () => {
    expect([...documentedRows().keys()].sort()).toEqual(configured);
  });

  it("states the default config.ts applies to each variable", () => {
    const defaults = loadConfig({}) as Record<string, unknown>;
    const rows = documentedRows();
    for (const name of configured) {
      const value = defaults[name];
      const cell = rows.get(name);
      const unset = value === undefined || (Array.isArray(value) && value.length === 0);
      if (unset) expect(cell, name).not.toMatch(/^`/);
      else expect(cell, name).toBe(`\`${String(value)}\``);
    }
  });
});
