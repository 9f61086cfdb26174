// `pnpm start`'s command line, read from package.json's "start" script so that everything starting
// the server as production does (tests' server processes, benchmarks) runs it with the same
// Node.js flags: `node <flags> scripts/start.mjs`.
import { readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** The arguments after `node` (cwd: the repository root). */
export function startArgs() {
  const start = JSON.parse(readFileSync(resolve(root, "package.json"), "utf8")).scripts.start;
  const [command, ...args] = start.trim().split(/\s+/);
  if (command !== "node" || args.at(-1) !== "scripts/start.mjs") throw new Error(`package.json "start" should be \`node [flags] scripts/start.mjs\`, not \`${start}\``);
  return args;
}
