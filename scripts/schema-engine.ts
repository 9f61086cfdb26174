// Prisma's schema engine in WebAssembly (the native one cannot be downloaded here). It is used
// only to diff two schema texts, which never touches a database, so the same code serves both
// engines; the adapter it insists on is an in-memory SQLite database it never reads for a diff.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import { pathToFileURL } from "node:url";
import { PrismaBetterSqlite3 } from "@prisma/adapter-better-sqlite3";
import { bindMigrationAwareSqlAdapterFactory } from "@prisma/driver-adapter-utils";

const require = createRequire(import.meta.url);

type Files = { path: string; content: string }[];
interface Engine {
  diff(params: unknown): Promise<{ exitCode: number; stdout: string }>;
}

let engine: Promise<Engine> | undefined;

async function load(datamodel: string): Promise<Engine> {
  const bgPath = require.resolve("@prisma/schema-engine-wasm/schema_engine_bg");
  const bg = await import(pathToFileURL(bgPath).href);
  const pkgDir = dirname(bgPath);
  const bytes = readFileSync(join(pkgDir, "schema_engine_bg.wasm"));
  const { instance } = await WebAssembly.instantiate(bytes, { "./schema_engine_bg.js": bg });
  bg.__wbg_set_wasm(instance.exports);
  (instance.exports as { __wbindgen_start?: () => void }).__wbindgen_start?.();
  return bg.SchemaEngine.new(
    { datamodels: [["schema.prisma", datamodel]] },
    () => {},
    bindMigrationAwareSqlAdapterFactory(new PrismaBetterSqlite3({ url: ":memory:" })),
  );
}

/** The SQL that takes a database from schema `from` (null: empty) to schema `to`. */
export async function diffSchemas(from: string | null, to: string): Promise<string> {
  engine ??= load(to);
  const files = (content: string): Files => [{ path: "schema.prisma", content }];
  const result = await (await engine).diff({
    from: from === null ? { tag: "empty" } : { tag: "schemaDatamodel", files: files(from) },
    to: { tag: "schemaDatamodel", files: files(to) },
    script: true,
    shadowDatabaseUrl: null,
    exitCode: null,
    filters: { externalTables: [], externalEnums: [] },
  });
  return result.stdout;
}
