// `pnpm start`: serve the compiled server (scripts/server-build.mjs), rebuilding it first when any
// source, manifest or the lockfile differs from what it was built from. One process: signals
// reach the server itself.
import { pathToFileURL } from "node:url";
import { ensureServerBuild } from "./server-build.mjs";

const main = await ensureServerBuild();
// Stack traces name the TypeScript sources (dist/main.mjs.map).
process.setSourceMapsEnabled(true);
await import(pathToFileURL(main).href);
