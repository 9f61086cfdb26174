// Baselines (e) and (f): graphql-yoga running the raw baseline's statements (bench/lib/
// raw-baseline.ts) from plain resolvers of the read document's types, (e) with yoga's default
// executor, (f) with Simgate's compiled execution (packages/server/src/compiled-execution.ts). No
// Pothos, no other plugin, no auth beyond the token's look-up, no limits: the least a yoga server
// that does the read's work can cost. Each runs as a process of its own, as Simgate does, so they
// are measured alike; `startYogaOverSql` spawns one and this file's main serves it.
import { spawn } from "node:child_process";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { createSchema, createYoga } from "graphql-yoga";
import { useCompiledExecution } from "../../packages/server/src/compiled-execution.ts";
import { listeningPort, stopChild } from "./child-server.ts";
import type { Engine } from "./databases.ts";
import { digest, edgesOf, storeFor } from "./raw-baseline.ts";

/** The types of the benchmark's read document, as Simgate names them (baselines (c), (e) and (f)). */
export const READ_TYPES = `type Query { viewer: Operator }
  type Operator { sims(first: Int, filter: SimFilter): SimConnection }
  input SimFilter { coverage: Coverage }
  enum Coverage { GLOBAL JAPAN }
  type SimConnection { totalCount: Int! edges: [SimEdge!]! }
  type SimEdge { node: Sim! }
  type Sim { id: ID! imsi: String! status: String! tags: [SimTag!]! expiry: SimExpiry }
  type SimTag { name: String! value: String! }
  type SimExpiry { action: String! }`;

async function serve(engine: Engine, url: string, compiled: boolean): Promise<void> {
  const store = storeFor(engine, url);
  interface Listing { operatorId: string; now: string }
  const yoga = createYoga({
    logging: false,
    plugins: compiled ? [useCompiledExecution({ afterRuns: 1 })] : [],
    schema: createSchema({
      typeDefs: READ_TYPES,
      resolvers: {
        Query: {
          viewer: async (_: unknown, __: unknown, ctx: { request: Request }) => {
            const token = ctx.request.headers.get("authorization")?.slice("Bearer ".length) ?? "";
            const operatorId = await store.viewer(digest(token), new Date().toISOString());
            return operatorId ? { operatorId } : null;
          },
        },
        // The raw baseline's read is always the GLOBAL page of 50; so is this one's.
        Operator: { sims: (operator: { operatorId: string }): Listing => ({ operatorId: operator.operatorId, now: new Date().toISOString() }) },
        SimConnection: {
          totalCount: (c: Listing) => store.count(c.operatorId, c.now),
          edges: async (c: Listing) => {
            const rows = await store.page(c.operatorId, c.now);
            return edgesOf(rows, await store.tags(rows.map((r) => r.id)));
          },
        },
      },
    }),
  });
  const server = createServer(yoga);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  process.stdout.write(`${JSON.stringify({ port: (server.address() as AddressInfo).port })}\n`);
  process.on("SIGTERM", () => {
    server.close(() => void store.close().then(() => process.exit(0)));
    server.closeAllConnections();
  });
}

export async function startYogaOverSql(engine: Engine, url: string, nodeArgs: string[], compiled: boolean): Promise<{ port: number; close(): Promise<void> }> {
  const child = spawn(process.execPath, [...nodeArgs, "--import", "tsx", import.meta.filename, engine, url, compiled ? "compiled" : "default"], { env: { ...process.env, NODE_ENV: "production" }, stdio: ["ignore", "pipe", "inherit"] });
  const port = await listeningPort(child, "yoga over the same SQL", (line) => line.startsWith('{"port"'));
  return { port, close: () => stopChild(child) };
}

if (import.meta.filename === process.argv[1]) await serve(process.argv[2] as Engine, process.argv[3]!, process.argv[4] === "compiled");
