// The layering the code relies on: rules in domain/ decide on plain values; services (sims/)
// never reach into the GraphQL layer; one module writes a SIM's status and its history.
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";

const SRC = join(import.meta.dirname, "..", "src");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" ? [] : sources(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

const importsOf = (file: string) => [...readFileSync(file, "utf8").matchAll(/^(?:import|export)[^;]*?from\s+"([^"]+)"/gms)].map((m) => m[1]!);
const rel = (file: string) => relative(SRC, file);

describe("layers", () => {
  it("domain modules import only other domain modules and plain libraries (no Prisma, no GraphQL)", () => {
    const offending = sources(join(SRC, "domain")).flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith("../") || /^(graphql|@pothos\/|@prisma\/|graphql-yoga)/.test(spec))
        .map((spec) => `${rel(file)} → ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it("SIM services never import the GraphQL layer", () => {
    const offending = sources(join(SRC, "sims")).flatMap((file) =>
      importsOf(file)
        .filter((spec) => spec.startsWith("../schema/") || /^(graphql|@pothos\/|graphql-yoga)/.test(spec))
        .map((spec) => `${rel(file)} → ${spec}`),
    );
    expect(offending).toEqual([]);
  });

  it("S2: only sims/status-change.ts writes a SIM's status or its history", () => {
    const writers = sources(SRC).filter((file) => {
      const text = readFileSync(file, "utf8");
      if (/simStatusChange\.create/.test(text)) return true;
      // The data of every Sim update or create, up to the end of the call.
      return [...text.matchAll(/\.sim\.(?:update|updateMany|create|createMany|upsert)\(/g)].some((m) => {
        const call = text.slice(m.index, text.indexOf("});", m.index));
        const data = call.slice(call.indexOf("data:"));
        return /\bstatus\s*:/.test(data);
      });
    });
    expect(writers.map(rel)).toEqual(["sims/status-change.ts"]);
  });
});
