import { readFileSync } from "node:fs";
import { resolve } from "node:path";
import { buildSchema, findBreakingChanges } from "graphql";
import { describe, expect, it } from "vitest";
import { printedSchema, printedSchemaPath } from "../src/printed-schema.ts";
import { schema } from "../src/graphql/index.ts";

const contractPath = resolve(import.meta.dirname, "../../../contract/schema.graphql");

describe("the public contract", () => {
  it("the built schema is a compatible superset of the contract (contract/schema.graphql)", () => {
    const contract = buildSchema(readFileSync(contractPath, "utf8"));
    expect(findBreakingChanges(contract, schema)).toEqual([]);
  });

  it("the committed schema.graphql is what the code builds (run `pnpm schema:print`)", () => {
    expect(readFileSync(printedSchemaPath, "utf8")).toBe(printedSchema());
  });

  it("every type and field of the built schema has a description", () => {
    const missing: string[] = [];
    for (const type of Object.values(schema.getTypeMap())) {
      if (type.name.startsWith("__") || ["String", "Int", "Float", "Boolean", "ID"].includes(type.name)) continue;
      if (!type.description && !type.name.endsWith("Input") && !type.name.endsWith("Edge") && !type.name.endsWith("Connection")) {
        missing.push(type.name);
      }
      if ("getFields" in type && !type.name.endsWith("Edge") && type.name !== "PageInfo" && !type.name.endsWith("Connection")) {
        for (const field of Object.values(type.getFields())) {
          if (!field.description && field.name !== "id") missing.push(`${type.name}.${field.name}`);
        }
      }
    }
    expect(missing).toEqual([]);
  });
});
