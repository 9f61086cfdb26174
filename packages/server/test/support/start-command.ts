// What `pnpm start` runs (package.json): the launcher that serves the compiled bundle, rebuilding
// it first when it is stale. Tests that need a server process run exactly this, without tsx.
import { resolve } from "node:path";

export const repoRoot = resolve(import.meta.dirname, "../../../..");
/** Arguments to `node` (cwd: repoRoot). */
export const startArgs = ["scripts/start.mjs"];
