// The loaded-columns plugin answers a field from its row and calls the field's own resolver,
// skipping the Prisma plugin's per-row look-up. That is only the Prisma plugin's wrapper it skips
// if no other plugin of the builder wraps resolvers, and only if it sits outside the Prisma plugin.
import SchemaBuilder, { BasePlugin } from "@pothos/core";
import { describe, expect, it } from "vitest";
import { builder } from "../src/graphql/builder.ts";
import "../src/graphql/index.ts";

const plugins = (builder.options as { plugins: string[] }).plugins;
const registered = (SchemaBuilder as unknown as { plugins: Record<string, typeof BasePlugin> }).plugins;

describe("loaded columns", () => {
  it("sits outside the Prisma plugin's resolver wrapper (Pothos wraps with the first plugin outermost)", () => {
    expect(plugins.indexOf("loadedColumns")).toBe(0);
    expect(plugins.indexOf("prisma")).toBe(1);
  });

  it("is the only wrapper besides the Prisma plugin's, so a field's own resolver is what runs beneath both", () => {
    const wrapping = plugins.filter((name) => {
      const proto = registered[name]!.prototype as unknown as { wrapResolve: unknown; wrapSubscribe: unknown };
      return proto.wrapResolve !== BasePlugin.prototype.wrapResolve || proto.wrapSubscribe !== BasePlugin.prototype.wrapSubscribe;
    });
    expect(wrapping.sort()).toEqual(["loadedColumns", "prisma"]);
  });
});
