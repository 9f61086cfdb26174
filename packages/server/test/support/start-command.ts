// What `pnpm start` runs (package.json): the launcher that serves the compiled bundle, rebuilding
// it first when it is stale, with the Node.js flags production runs with. Tests that need a server
// process run exactly this, without tsx.
import { resolve } from "node:path";
import { startArgs as startCommandArgs } from "../../../../scripts/start-command.mjs";

export const repoRoot = resolve(import.meta.dirname, "../../../..");
/** Arguments to `node` (cwd: repoRoot). */
export const startArgs: string[] = startCommandArgs();
