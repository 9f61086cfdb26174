// The server as production runs it: one ES module (packages/server/dist/main.mjs) bundled by
// esbuild from packages/server/src/main.ts and the workspace packages it imports (and beside it
// the webhook sender's thread, dist/webhook-sender.mjs), with every
// npm dependency left to Node (native addons, Prisma's runtime and its WebAssembly stay as
// installed). Plain JavaScript, so `pnpm start` needs no TypeScript loader.
//
// A stamp beside the bundle records a SHA-256 of every input (each bundled source, the package
// manifests, the lockfile, this script) and of the outputs; `ensureServerBuild` rebuilds whenever
// one differs or a dependency file the bundle imports is gone, so a stale build is never served.
//
//   node scripts/server-build.mjs            build if stale (postinstall, `pnpm build`)
//   node scripts/server-build.mjs --force    build unconditionally
//
// SIMGATE_BUILD_DIR moves the output (tests build into a fresh folder to prove a clean build).
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const entry = join(root, "packages/server/src/main.ts");
// The webhook sender's worker thread (packages/server/src/webhooks/sender.ts) is a second entry,
// bundled beside the server; sender.ts finds it through SIMGATE_SENDER_THREAD_BUNDLE, its path
// relative to sender.ts's own source (import.meta.url keeps meaning the source's location).
const senderThreadEntry = join(root, "packages/server/src/webhooks/sender-thread.ts");
const senderSource = join(root, "packages/server/src/webhooks/sender.ts");
const STAMP_VERSION = 1;
// Inputs that are not sources but change what the bundle is or resolves to.
const fixedInputs = ["pnpm-lock.yaml", "tsconfig.json", "scripts/server-build.mjs", "package.json", "packages/server/package.json", "packages/schema/package.json"];

export function buildDir() {
  return resolve(root, process.env.SIMGATE_BUILD_DIR || "packages/server/dist");
}

const sha256 = (data) => createHash("sha256").update(data).digest("hex");
const hashFile = (path) => (existsSync(path) ? sha256(readFileSync(path)) : "missing");
const posix = (p) => p.split(sep).join("/");
const asSpecifier = (fromDir, file) => {
  const rel = posix(relative(fromDir, file));
  return rel.startsWith(".") ? rel : `./${rel}`;
};

/** Why the build in `dir` cannot be served as it is, or null when it is current. */
export function staleReason(dir = buildDir()) {
  const stampPath = join(dir, "build-stamp.json");
  if (!existsSync(stampPath)) return "no build yet";
  let stamp;
  try {
    stamp = JSON.parse(readFileSync(stampPath, "utf8"));
  } catch {
    return "unreadable build stamp";
  }
  if (stamp.version !== STAMP_VERSION || stamp.root !== root) return "build made by another version or checkout";
  for (const [file, hash] of Object.entries(stamp.inputs)) {
    if (hashFile(join(root, file)) !== hash) return `${file} changed`;
  }
  for (const [file, hash] of Object.entries(stamp.outputs)) {
    if (hashFile(join(dir, file)) !== hash) return `${file} differs from the build`;
  }
  for (const file of stamp.externals) {
    if (!existsSync(resolve(dir, file))) return `${file} is no longer installed`;
  }
  return null;
}

/** Builds into `dir`; outputs are written to temporary names and renamed, so concurrent builds of the same sources are safe. */
export async function buildServer(dir = buildDir()) {
  const { build } = await import("esbuild");
  const externals = new Set();
  const sourceLoaders = { ".ts": "ts", ".mts": "ts", ".cts": "ts", ".js": "js", ".mjs": "js", ".cjs": "js" };
  const workspace = {
    name: "simgate-workspace",
    setup(b) {
      // Dependencies stay external but are imported by their resolved file, relative to the
      // bundle: pnpm gives each workspace package its own node_modules, which the bundle's folder
      // cannot see. Node then loads the very file it would have loaded for the source.
      b.onResolve({ filter: /^[^./]/ }, async (args) => {
        if (args.pluginData?.inner || args.kind === "entry-point") return undefined;
        if (args.path.startsWith("node:") || builtinModules.includes(args.path.split("/")[0])) return { path: args.path, external: true };
        if (args.path.startsWith("@simgate/")) return undefined; // bundled from source
        const found = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: { inner: true } });
        if (found.errors.length > 0) return { errors: found.errors };
        const specifier = asSpecifier(dir, found.path);
        externals.add(specifier);
        return { path: specifier, external: true };
      });
      // import.meta.url in a bundled source keeps meaning that source's own location (migrations
      // and the printed schema are found relative to it).
      b.onLoad({ filter: /\.[cm]?[jt]s$/ }, (args) => {
        if (args.path.includes(`${sep}node_modules${sep}`)) return undefined;
        const text = readFileSync(args.path, "utf8");
        const loader = sourceLoaders[extname(args.path)];
        if (!text.includes("import.meta.url")) return { contents: text, loader };
        const here = `new URL(${JSON.stringify(asSpecifier(dir, args.path))}, import.meta.url).href`;
        return { contents: text.replaceAll("import.meta.url", here), loader };
      });
    },
  };
  const result = await build({
    entryPoints: { main: entry, "webhook-sender": senderThreadEntry },
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node20.12",
    outdir: dir,
    outExtension: { ".js": ".mjs" },
    define: { SIMGATE_SENDER_THREAD_BUNDLE: JSON.stringify(asSpecifier(dirname(senderSource), join(dir, "webhook-sender.mjs"))) },
    write: false,
    sourcemap: "linked",
    sourcesContent: false,
    keepNames: true,
    metafile: true,
    logLevel: "warning",
    plugins: [workspace],
  });
  mkdirSync(dir, { recursive: true });
  const outputs = {};
  for (const file of result.outputFiles) {
    const name = posix(relative(dir, file.path));
    const tmp = `${file.path}.${process.pid}.tmp`;
    writeFileSync(tmp, file.contents);
    renameSync(tmp, file.path);
    outputs[name] = sha256(file.contents);
  }
  const inputs = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const abs = isAbsolute(input) ? input : resolve(root, input);
    if (abs.includes(`${sep}node_modules${sep}`)) continue;
    inputs[posix(relative(root, abs))] = hashFile(abs);
  }
  for (const file of fixedInputs) inputs[file] = hashFile(join(root, file));
  const stamp = { version: STAMP_VERSION, root, builtAt: new Date().toISOString(), inputs, outputs, externals: [...externals].sort() };
  const stampPath = join(dir, "build-stamp.json");
  writeFileSync(`${stampPath}.${process.pid}.tmp`, `${JSON.stringify(stamp, null, 1)}\n`);
  renameSync(`${stampPath}.${process.pid}.tmp`, stampPath);
  return join(dir, "main.mjs");
}

/** The bundle's path, built first when missing or stale (the reason goes to stderr). */
export async function ensureServerBuild({ force = false, dir = buildDir() } = {}) {
  const reason = force ? "forced" : staleReason(dir);
  if (reason === null) return join(dir, "main.mjs");
  const started = performance.now();
  const main = await buildServer(dir);
  process.stderr.write(`simgate: built ${posix(relative(root, main))} (${reason}) in ${Math.round(performance.now() - started)} ms\n`);
  return main;
}

/** vitest's globalSetup: test files that spawn `pnpm start`'s command find a current build, instead of each rebuilding it. */
export async function setup() {
  await ensureServerBuild();
}

if (process.argv[1] && pathToFileURL(resolve(process.argv[1])).href === import.meta.url) {
  await ensureServerBuild({ force: process.argv.includes("--force") });
}
