// The package installs like one: `pnpm pack` builds dist/ and packs a tarball whose manifest
// points at dist/, which `npm install` puts into an empty project outside the workspace (its
// @urql dependencies from the npm registry). From there it is used as integrators do: Node ESM
// against a real server, TypeScript against its declarations, and a browser bundle (esbuild,
// platform browser) run with Web globals only.
import { execFile, execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { promisify } from "node:util";
import { createContext, runInContext } from "node:vm";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServer, type TestServer } from "./support/server.ts";

const packageDir = new URL("..", import.meta.url).pathname;
const srcDir = join(packageDir, "src");
const repoRoot = join(packageDir, "..", "..");
/** The project's pinned pnpm (as in .ci/run), fetched by npx. */
const PNPM = ["-y", "pnpm@10.34.9"];

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

/** The environment without the workspace's package-manager settings, as on an integrator's machine. */
function cleanEnv(): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(process.env).filter(([name]) => !/^(npm_|pnpm_|PNPM_)/i.test(name)));
}

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, env: cleanEnv(), encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

/** For programs that call the test server: it answers from this process, so this one must not block. */
async function runAsync(command: string, args: string[], cwd: string): Promise<string> {
  const { stdout } = await promisify(execFile)(command, args, { cwd, env: cleanEnv(), encoding: "utf8" });
  return stdout;
}

describe("package sources", () => {
  it("src imports only @urql packages, standardwebhooks and its own files (no node: modules, no server code)", () => {
    const offenders: string[] = [];
    for (const file of filesUnder(srcDir).filter((f) => f.endsWith(".ts"))) {
      for (const [, specifier] of readFileSync(file, "utf8").matchAll(/\bfrom\s+["']([^"']+)["']/g)) {
        if (specifier!.startsWith("./") || specifier!.startsWith("../")) {
          if (relative(srcDir, join(file, "..", specifier!)).startsWith("..")) offenders.push(`${relative(packageDir, file)}: ${specifier}`);
        } else if (!/^(@urql\/(core|exchange-auth)|standardwebhooks)$/.test(specifier!)) {
          // standardwebhooks (verifyWebhook) is plain JS over Web APIs; the browser bundle test covers it.
          offenders.push(`${relative(packageDir, file)}: ${specifier}`);
        }
      }
    }
    expect(offenders).toEqual([]);
  });

  it("package.json: the workspace resolves src/, publishing and packing resolve dist/", () => {
    const pkg = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8"));
    expect(pkg.type).toBe("module");
    expect(pkg.private).toBeUndefined();
    expect(pkg.exports["."]).toEqual({ types: "./src/index.ts", import: "./src/index.ts" });
    expect(pkg.publishConfig.exports["."]).toEqual({ types: "./dist/index.d.ts", import: "./dist/index.js" });
    expect(pkg.files).toEqual(["dist", "README.md"]);
    expect(pkg.scripts.prepack).toBe(pkg.scripts.build);
    expect(readFileSync(join(packageDir, ".gitignore"), "utf8")).toContain("dist/");
  });
});

describe("the packed tarball, installed outside the workspace", () => {
  let server: TestServer;
  let work: string;
  let app: string;
  let installed: string;

  beforeAll(async () => {
    server = await startServer();
    work = mkdtempSync(join(tmpdir(), "simgate-sdk-package-"));
    const packDir = join(work, "pack");
    app = join(work, "app");
    mkdirSync(packDir);
    mkdirSync(app);
    // `pnpm pack` runs prepack (the build) and applies publishConfig to the packed manifest.
    run("npx", [...PNPM, "pack", "--pack-destination", packDir], packageDir);
    const [tarball] = readdirSync(packDir);
    expect(tarball).toMatch(/^simgate-sdk-\d+\.\d+\.\d+\.tgz$/);
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "simgate-sdk-consumer", private: true, type: "module" }));
    run("npm", ["install", join(packDir, tarball!), "--no-audit", "--no-fund", "--prefer-offline", "--loglevel=error"], app);
    installed = join(app, "node_modules", "@simgate", "sdk");
  }, 240_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("its manifest points at dist/ and it holds no TypeScript sources", () => {
    const manifest = JSON.parse(readFileSync(join(installed, "package.json"), "utf8"));
    expect(manifest.exports).toEqual({
      ".": { types: "./dist/index.d.ts", import: "./dist/index.js" },
      "./graphql": { types: "./dist/generated/graphql.d.ts", import: "./dist/generated/graphql.js" },
      "./package.json": "./package.json",
    });
    const entryFields = JSON.stringify([manifest.exports, manifest.main, manifest.module, manifest.types, manifest.typings, manifest.browser]);
    expect(entryFields).not.toMatch(/src\//);
    expect((entryFields.match(/[\w/.-]+\.ts\b/g) ?? []).filter((path) => !path.endsWith(".d.ts"))).toEqual([]);
    const files = filesUnder(installed).map((f) => relative(installed, f));
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "dist/index.js", "dist/index.d.ts"]));
    expect(files.filter((f) => !(f.startsWith("dist/") || f === "package.json" || f === "README.md"))).toEqual([]);
    expect(files.filter((f) => f.endsWith(".ts") && !f.endsWith(".d.ts"))).toEqual([]);
    // Installed next to it: only what it depends on.
    expect(readdirSync(join(app, "node_modules", "@urql")).sort()).toEqual(["core", "exchange-auth"]);
  });

  it("Node ESM: import { createSimgateClient } from \"@simgate/sdk\" signs up and reads the viewer on a real server", async () => {
    writeFileSync(
      join(app, "main.mjs"),
      `import { createSimgateClient, SimgateAuthenticationError, SimgateError } from "@simgate/sdk";
import { ViewerDocument } from "@simgate/sdk/graphql";
const url = process.argv[2];
const email = \`pkg-\${Date.now()}@example.com\`;
const signedUp = await createSimgateClient({ url }).auth.signUp({ email, password: "correct horse battery", name: "Packaged" });
if (!signedUp.ok) throw new Error(JSON.stringify(signedUp.userErrors));
const me = await createSimgateClient({ url, token: signedUp.data.token }).auth.viewer({ timeoutMs: 10000 });
const refused = await createSimgateClient({ url, token: "sgt_wrong" }).auth.viewer().catch((e) => e);
console.log(JSON.stringify({
  operatorId: me.operatorId,
  same: me.operatorId === signedUp.data.operator.operatorId,
  refused: [refused instanceof SimgateAuthenticationError, refused instanceof SimgateError, refused.code],
  document: ViewerDocument.kind,
}));
`,
    );
    const output = JSON.parse(await runAsync(process.execPath, ["main.mjs", server.url], app));
    expect(output).toEqual({ operatorId: expect.stringMatching(/^OP\d+$/), same: true, refused: [true, true, "UNAUTHENTICATED"], document: "Document" });
  });

  it("TypeScript: a consumer compiles against the declarations, with typed codes and call options", () => {
    writeFileSync(
      join(app, "check.ts"),
      `import { createSimgateClient, SimgateError, type CallOptions, type SimgateErrorCode, type UserErrorCode } from "@simgate/sdk";
const simgate = createSimgateClient({ url: "https://simgate.example.com/graphql", token: "t" }, { timeoutMs: 5000 });
const options: CallOptions = { timeoutMs: 1000, signal: AbortSignal.timeout(2000) };
export async function main(): Promise<string> {
  const result = await simgate.sims.terminate("id", options);
  if (!result.ok) {
    const code: UserErrorCode = result.userErrors[0]!.code;
    return code;
  }
  try {
    return (await simgate.auth.viewer()).operatorId;
  } catch (error) {
    const code: SimgateErrorCode | undefined = error instanceof SimgateError ? error.code : undefined;
    // @ts-expect-error not a code the SDK can report
    const typo: SimgateErrorCode = "RATE_LIMIT";
    return String(code) + typo;
  }
}
`,
    );
    writeFileSync(
      join(app, "tsconfig.json"),
      JSON.stringify({
        compilerOptions: { strict: true, noEmit: true, module: "NodeNext", moduleResolution: "NodeNext", target: "ES2022", lib: ["ES2022", "DOM"], types: [] },
        files: ["check.ts"],
      }),
    );
    const tsc = join(repoRoot, "node_modules", "typescript", "bin", "tsc");
    expect(run(process.execPath, [tsc, "-p", "tsconfig.json"], app)).toBe("");
  }, 60_000);

  it("browser: an esbuild bundle (platform browser) has no node: imports and, with Web globals only, calls the real server", async () => {
    writeFileSync(
      join(app, "browser.js"),
      `import { createSimgateClient } from "@simgate/sdk";
export async function run(url) {
  const signedUp = await createSimgateClient({ url }).auth.signUp({ email: "browser-" + crypto.randomUUID() + "@example.com", password: "correct horse battery", name: "Browser" });
  if (!signedUp.ok) throw new Error(JSON.stringify(signedUp.userErrors));
  const me = await createSimgateClient({ url, token: signedUp.data.token }).auth.viewer();
  return { operatorId: me.operatorId, same: me.operatorId === signedUp.data.operator.operatorId };
}
`,
    );
    const result = await build({
      entryPoints: [join(app, "browser.js")],
      absWorkingDir: app,
      bundle: true,
      platform: "browser",
      format: "iife",
      globalName: "simgateApp",
      target: "es2022",
      write: false,
      metafile: true,
      logLevel: "silent",
    });
    const inputs = Object.keys(result.metafile.inputs);
    expect(inputs).toContain("node_modules/@simgate/sdk/dist/index.js");
    expect(inputs.filter((path) => path.startsWith("node:") || !(path === "browser.js" || path.startsWith("node_modules/")))).toEqual([]);
    expect(Object.values(result.metafile.outputs).flatMap((output) => output.imports)).toEqual([]);
    const bundle = result.outputFiles[0]!.text;
    expect(bundle).not.toMatch(/["'`]node:|\brequire\(|\bprocess\./);

    // A page on another origin (a dev server), with what browsers give scripts and nothing of Node.
    const page = {
      location: { origin: "http://localhost:5173", href: "http://localhost:5173/" },
      fetch,
      Request,
      Response,
      Headers,
      URL,
      URLSearchParams,
      AbortController,
      AbortSignal,
      DOMException,
      Event,
      EventTarget,
      TextEncoder,
      TextDecoder,
      crypto: globalThis.crypto,
      setTimeout,
      clearTimeout,
      queueMicrotask,
      console,
    };
    const context = createContext(page);
    runInContext(bundle, context);
    const bundled = (context as { simgateApp: { run(url: string): Promise<unknown> } }).simgateApp;
    expect(await bundled.run(server.url)).toEqual({ operatorId: expect.stringMatching(/^OP\d+$/), same: true });
  });
});
