// The layering the code relies on, checked on every import of the repository (static, re-export,
// side-effect and dynamic, read by TypeScript's own pre-processor):
//   domain   (packages/schema/src/domain/)  rules on plain values: imports only domain and libraries
//            that do no I/O;
//   services (packages/schema/src/<dir>/ other than domain/ and graphql/): transactions, SQL, audit,
//            refusals; never the GraphQL layer;
//   graphql  (packages/schema/src/graphql/): parse input, call a service, shape the payload;
//   server   (packages/server) uses the schema package through its exports; the schema package
//            never uses the server; the SDK (packages/sdk/src) talks HTTP only.
// And no import cycles anywhere (madge).
import { readdirSync, readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { dirname, join, relative, resolve, sep } from "node:path";
import madge from "madge";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "..", "..", "..");
const SCHEMA_SRC = join(ROOT, "packages", "schema", "src");
const DOMAIN = join(SCHEMA_SRC, "domain");
const GRAPHQL = join(SCHEMA_SRC, "graphql");

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (e.isDirectory()) return e.name === "generated" || e.name === "node_modules" || e.name === "dist" ? [] : sources(path);
    return e.name.endsWith(".ts") ? [path] : [];
  });
}

const packages = readdirSync(join(ROOT, "packages"));
const repository = [...packages.flatMap((p) => sources(join(ROOT, "packages", p))), ...sources(join(ROOT, "scripts")), ...sources(join(ROOT, "bench"))];

/** `@simgate/<package>[/<subpath>]` to the file its package.json exports, or the package's folder. */
function resolveWorkspace(spec: string): string | null {
  const match = /^@simgate\/([^/]+)(\/.*)?$/.exec(spec);
  if (!match) return null;
  const dir = join(ROOT, "packages", match[1]!);
  const exports = JSON.parse(readFileSync(join(dir, "package.json"), "utf8")).exports ?? {};
  const target = exports[`.${match[2] ?? ""}`];
  const file = typeof target === "string" ? target : target?.import;
  return typeof file === "string" ? join(dir, file) : dir;
}

interface Import {
  from: string;
  spec: string;
  /** The file (or workspace package folder) it names; null for a library or a node builtin. */
  target: string | null;
}

function importsOf(file: string): Import[] {
  const { importedFiles } = ts.preProcessFile(readFileSync(file, "utf8"), true, true);
  return importedFiles.map(({ fileName: spec }) => ({
    from: file,
    spec,
    target: spec.startsWith(".") ? resolve(dirname(file), spec) : resolveWorkspace(spec),
  }));
}

const allImports = repository.flatMap(importsOf);
const within = (path: string | null, dir: string) => path !== null && (path === dir || path.startsWith(dir + sep));
const show = (i: Import) => `${relative(ROOT, i.from)} → ${i.spec}`;

/** Node builtins a rule may use: no file, network, process or thread I/O. */
const PURE_BUILTINS = new Set(["node:crypto", "crypto", "node:util", "util", "node:buffer", "buffer", "node:assert", "assert"]);
/** Libraries a domain rule may use: pure computation on values. */
const PURE_LIBRARIES = new Set(["zod", "@holiday-jp/holiday_jp", "@node-rs/argon2", "ipaddr.js"]);

function forbiddenImports(imports: readonly Import[]): Record<string, string[]> {
  const inDomain = (i: Import) => within(i.from, DOMAIN);
  const inServices = (i: Import) => within(i.from, SCHEMA_SRC) && !within(i.from, DOMAIN) && !within(i.from, GRAPHQL);
  const packageOf = (path: string | null) => (path && within(path, join(ROOT, "packages")) ? relative(join(ROOT, "packages"), path).split(sep)[0]! : null);
  return {
    domainOutsideDomain: imports
      .filter(inDomain)
      .filter((i) => (i.target !== null ? !within(i.target, DOMAIN) : !PURE_BUILTINS.has(i.spec) && !PURE_LIBRARIES.has(i.spec)))
      .map(show),
    // printed-schema.ts prints the built schema: it is the GraphQL layer's entry for scripts.
    servicesIntoGraphql: imports
      .filter((i) => inServices(i) && relative(SCHEMA_SRC, i.from) !== "printed-schema.ts")
      .filter((i) => within(i.target, GRAPHQL) || /^(@pothos\/|graphql-yoga)/.test(i.spec) || (i.spec === "graphql" && !SERVICES_USING_GRAPHQL_ERROR.has(relative(SCHEMA_SRC, i.from))))
      .map(show),
    schemaIntoServer: imports.filter((i) => packageOf(i.from) === "schema" && packageOf(i.target) === "server").map(show),
    sdkIntoServerOrSchema: imports
      .filter((i) => within(i.from, join(ROOT, "packages", "sdk", "src")))
      .filter((i) => ["server", "schema"].includes(packageOf(i.target) ?? ""))
      .map(show),
    generatedClientOutsideSchema: imports
      .filter((i) => packageOf(i.from) !== "schema" && /\/generated\//.test(i.target ?? i.spec) && within(i.target, SCHEMA_SRC))
      .map(show),
    // The server uses the schema package as a package: what its package.json exports, by name.
    serverPastSchemaExports: imports
      .filter((i) => packageOf(i.from) === "server" && packageOf(i.target) === "schema" && !i.spec.startsWith("@simgate/schema/"))
      .map(show),
  };
}

/**
 * Services that throw the request-level OPERATOR_BUSY refusal, a GraphQLError carrying its HTTP
 * status, from below the resolvers (the write gate runs before any resolver work).
 */
const SERVICES_USING_GRAPHQL_ERROR = new Set([join("db", "write-limits.ts")]);

describe("layers", () => {
  it("no import crosses a layer the wrong way (domain, services, graphql, server, sdk)", () => {
    expect(forbiddenImports(allImports)).toEqual({
      domainOutsideDomain: [],
      servicesIntoGraphql: [],
      schemaIntoServer: [],
      sdkIntoServerOrSchema: [],
      generatedClientOutsideSchema: [],
      serverPastSchemaExports: [],
    });
  });

  it("the check sees a forbidden import of each kind", () => {
    const at = (...path: string[]) => join(ROOT, "packages", ...path);
    const fake: Import[] = [
      { from: at("schema", "src", "domain", "x.ts"), spec: "../db/database.ts", target: at("schema", "src", "db", "database.ts") },
      { from: at("schema", "src", "domain", "x.ts"), spec: "node:fs", target: null },
      { from: at("schema", "src", "sims", "x.ts"), spec: "../graphql/builder.ts", target: at("schema", "src", "graphql", "builder.ts") },
      { from: at("schema", "src", "jobs", "x.ts"), spec: "@pothos/core", target: null },
      { from: at("schema", "src", "db", "x.ts"), spec: "@simgate/server", target: at("server", "src", "app.ts") },
      { from: at("sdk", "src", "x.ts"), spec: "@simgate/schema/domain/clock", target: at("schema", "src", "domain", "clock.ts") },
      { from: at("server", "src", "x.ts"), spec: "../../schema/src/db/generated/sqlite/client.ts", target: at("schema", "src", "db", "generated", "sqlite", "client.ts") },
    ];
    const found = forbiddenImports(fake);
    expect(Object.values(found).map((list) => list.length)).toEqual([2, 2, 1, 1, 1, 1]);
  });

  it("nothing outside the GraphQL layer imports it but the server, the schema printer and tests", () => {
    const offending = allImports
      .filter((i) => within(i.target, GRAPHQL) && !within(i.from, GRAPHQL))
      .filter((i) => !within(i.from, join(ROOT, "packages", "server")) && !within(i.from, join(ROOT, "packages", "schema", "test")))
      .filter((i) => relative(SCHEMA_SRC, i.from) !== "printed-schema.ts")
      .map(show);
    expect(offending).toEqual([]);
  });

  it("no module imports itself back through others (madge)", async () => {
    const graph = await madge(["packages", "scripts", "bench"].map((d) => join(ROOT, d)), {
      baseDir: ROOT,
      fileExtensions: ["ts"],
      tsConfig: join(ROOT, "tsconfig.json"),
      excludeRegExp: [/node_modules/, /[\\/]generated[\\/]/],
    });
    expect(graph.circular()).toEqual([]);
  });

  it("S2: only sims/status-change.ts writes a SIM's status or its history", () => {
    const writers = sources(SCHEMA_SRC).filter((file) => {
      const text = readFileSync(file, "utf8");
      if (/simStatusChange\.create/.test(text)) return true;
      // The data of every Sim update or create, up to the end of the call.
      return [...text.matchAll(/\.sim\.(?:update|updateMany|create|createMany|upsert)\(/g)].some((m) => {
        const call = text.slice(m.index, text.indexOf("});", m.index));
        const data = call.slice(call.indexOf("data:"));
        return /\bstatus\s*:/.test(data);
      });
    });
    expect(writers.map((f) => relative(SCHEMA_SRC, f))).toEqual(["sims/status-change.ts"]);
  });
});
