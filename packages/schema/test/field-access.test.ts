// U3–U5, O5: no field of the API is without an authorization rule, so none can skip it.
import { buildSchema, isObjectType } from "graphql";
import { describe, expect, it } from "vitest";
import { ACTIONS } from "../src/domain/permissions.ts";
import { FIELD_ACCESS, TYPE_ACCESS } from "../src/graphql/field-access.ts";
import { printedSchema } from "../src/printed-schema.ts";

const schema = buildSchema(printedSchema());
const rootTypes = ["Query", "Mutation", "Subscription", "Operator"] as const;

describe("field access map", () => {
  it("U3: every field of Query, Mutation, Subscription and Operator has a rule", () => {
    const missing: string[] = [];
    for (const typeName of rootTypes) {
      const type = schema.getType(typeName);
      if (!isObjectType(type)) continue;
      for (const field of Object.keys(type.getFields())) if (!FIELD_ACCESS[typeName][field]) missing.push(`${typeName}.${field}`);
    }
    expect(missing).toEqual([]);
  });

  it("U3: every other object type has a type-level rule (its own, or reached only through a deciding field)", () => {
    const missing = Object.values(schema.getTypeMap())
      .filter((t) => isObjectType(t) && !t.name.startsWith("__") && !(rootTypes as readonly string[]).includes(t.name))
      .map((t) => t.name)
      .filter((name) => !TYPE_ACCESS[name]);
    expect(missing).toEqual([]);
  });

  it("U4: a type node(id) can reach decides itself rather than through a field", () => {
    const nodeTypes = Object.values(schema.getTypeMap()).filter((t) => isObjectType(t) && t.getInterfaces().some((i) => i.name === "Node") && t.name !== "Operator");
    expect(nodeTypes.map((t) => t.name).filter((name) => TYPE_ACCESS[name] === "viaField")).toEqual([]);
  });

  it("U3: every action the map names is one of the evaluator's catalog", () => {
    const named = [...Object.values(FIELD_ACCESS).flatMap((fields) => Object.values(fields)), ...Object.values(TYPE_ACCESS)].flatMap((rule) =>
      typeof rule === "object" ? [rule.action] : [],
    );
    expect(named.filter((action) => !ACTIONS.includes(action))).toEqual([]);
  });

  it("U5: root-only mutations of the catalog's list are root in the map", () => {
    for (const field of ["addEmailAddress", "removeEmailAddress", "setEmailRole", "registerPaymentMethod", "updateInvoiceSettings", "changeSupportPlan", "createUser", "updateUser", "setUserPermissions", "deleteUser", "acceptSimTransfer", "rejectSimTransfer", "createAuthKey", "deleteAuthKey"]) {
      expect(FIELD_ACCESS.Mutation[field], field).toBe("root");
    }
  });
});
