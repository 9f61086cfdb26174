// The package works outside this repository: the browser-safe entry imports no Node module, and
// the one-command build emits ESM with declarations that load in Node.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { pathToFileURL } from "node:url";
import { describe, expect, it } from "vitest";

const packageDir = new URL("..", import.meta.url).pathname;
const srcDir = join(packageDir, "src");

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

describe("package", () => {
  it("src imports only @urql packages and its own files (no node: modules, no server code)", () => {
    const offenders: string[] = [];
    for (const file of filesUnder(srcDir).filter((f) => f.endsWith(".ts"))) {
      for (const [, specifier] of readFileSync(file, "utf8").matchAll(/\bfrom\s+["']([^"']+)["']/g)) {
        if (specifier!.startsWith("./") || specifier!.startsWith("../")) {
          if (relative(srcDir, join(file, "..", specifier!)).startsWith("..")) offenders.push(`${relative(packageDir, file)}: ${specifier}`);
        } else if (!/^@urql\/(core|exchange-auth)$/.test(specifier!)) {
          offenders.push(`${relative(packageDir, file)}: ${specifier}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it("the build (tsc, no Node types) emits ESM with declarations that loads in plain Node", () => {
    const outDir = mkdtempSync(join(tmpdir(), "simgate-sdk-build-"));
    try {
      const tsc = join(packageDir, "..", "..", "node_modules", "typescript", "bin", "tsc");
      execFileSync(process.execPath, [tsc, "-p", join(packageDir, "tsconfig.build.json"), "--outDir", outDir], { stdio: "pipe" });
      expect(readdirSync(outDir)).toEqual(expect.arrayContaining(["index.js", "index.d.ts"]));
      // Resolve @urql/* as an installed package would: from a node_modules beside the output.
      symlinkSync(join(packageDir, "node_modules"), join(outDir, "node_modules"), "dir");
      const script = `const m = await import(${JSON.stringify(pathToFileURL(join(outDir, "index.js")).href)});
        const c = m.createSimgateClient({ url: "http://127.0.0.1:9/graphql" });
        console.log(JSON.stringify([typeof c.sims.iterate, new m.SimgateNetworkError("x") instanceof m.SimgateError]));`;
      const output = execFileSync(process.execPath, ["--input-type=module", "-e", script], { encoding: "utf8" });
      expect(JSON.parse(output)).toEqual(["function", true]);
    } finally {
      rmSync(outDir, { recursive: true, force: true });
    }
  }, 60_000);

  it("package.json exports the entry with types, for the workspace and for publishing", () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
    expect(pkg.type).toBe("module");
    expect(pkg.exports["."]).toEqual({ types: "./src/index.ts", import: "./src/index.ts" });
    expect(pkg.publishConfig.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js" });
    expect(readFileSync(join(packageDir, ".gitignore"), "utf8")).toContain("dist/");
  });
});
