// Baseline (d): a peer product. PostGraphile V5 (bench/postgraphile, its own package and lockfile,
// installed there at bench time; the server never depends on it) serves the same PostgreSQL
// tables, and is asked for the same page: 50 GLOBAL SIMs of the benchmark's operator, oldest
// registration first, with their tags and expiry action and totalCount. PostGraphile needs
// Node.js 22 or later, so it runs on Node.js 24 from the npm registry (BENCH_PEER_NODE: another
// node binary), whatever runs the benchmark.
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { resolve } from "node:path";
import { listeningPort, stopChild } from "./child-server.ts";

const root = resolve(import.meta.dirname, "../..");
const peerDir = resolve(root, "bench/postgraphile");
export const PEER_NODE_PACKAGE = "node@24.21.0";

/**
 * The read, as PostGraphile's schema spells it. The operator is a `condition` (row-level scoping
 * by argument: the peer has no sign-in), and tags come in name order as Simgate gives them.
 */
export const PEER_READ = `query($operatorId: String!) {
  allSims(first: 50, condition: { operatorId: $operatorId, coverage: GLOBAL }, orderBy: [REGISTERED_AT_ASC, ROW_ID_ASC]) {
    totalCount
    nodes { rowId imsi status expiryAction simTagsBySimId(orderBy: NAME_ASC) { nodes { name value } } }
  }
}`;

export interface PeerAnswer {
  data?: { allSims: { totalCount: number; nodes: { rowId: string; imsi: string; status: string; expiryAction: string | null; simTagsBySimId: { nodes: { name: string; value: string }[] } }[] } };
  errors?: unknown;
}

function peerNode(): { node: string; env: NodeJS.ProcessEnv } {
  const node = process.env.BENCH_PEER_NODE ?? execFileSync("npx", ["-y", PEER_NODE_PACKAGE, "-p", "process.execPath"], { encoding: "utf8" }).trim();
  // pnpm and its scripts run on that Node too (PostGraphile's engines field asks for 22 or later).
  return { node, env: { ...process.env, PATH: `${resolve(node, "..")}:${process.env.PATH}` } };
}

/** Installs the peer's pinned dependencies into bench/postgraphile (frozen lockfile) and starts it. */
export async function startPostGraphile(databaseUrl: string, poolSize = 10): Promise<{ port: number; node: string; version: string; close(): Promise<void> }> {
  const { node, env } = peerNode();
  execFileSync("npx", ["-y", "pnpm@10.34.9", "install", "--ignore-workspace", "--frozen-lockfile", "--silent"], { cwd: peerDir, env, stdio: ["ignore", "ignore", "inherit"] });
  const version = execFileSync(node, ["--version"], { encoding: "utf8" }).trim();
  const child: ChildProcess = spawn(node, ["server.mjs"], {
    cwd: peerDir,
    env: { ...env, DATABASE_URL: databaseUrl, PORT: "0", POOL_SIZE: String(poolSize), NODE_ENV: "production" },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const port = await listeningPort(child, "PostGraphile", (line) => line.startsWith('{"port"'));
  return {
    port,
    node,
    version,
    close: () => stopChild(child),
  };
}
