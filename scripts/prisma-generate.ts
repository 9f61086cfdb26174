// Generates the Prisma clients of both engines (and Pothos's types) without downloading Prisma's
// native engine: `generate` runs on the WebAssembly schema library once the engine path exists.
import { execFileSync } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { schemaFor } from "./prisma-engines.ts";

const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const generated = join(root, "packages/schema/src/db/generated");
const source = readFileSync(join(root, "prisma/schema.prisma"), "utf8");
const pgSchema = join(generated, "postgresql.prisma");
mkdirSync(generated, { recursive: true });
writeFileSync(pgSchema, schemaFor("postgresql", source));

const env = {
  ...process.env,
  PRISMA_SCHEMA_ENGINE_BINARY: join(root, "scripts/no-schema-engine"),
  PRISMA_HIDE_UPDATE_MESSAGE: "1",
  // prisma-pothos-types is a dependency of packages/schema.
  PATH: `${join(root, "packages/schema/node_modules/.bin")}:${join(root, "node_modules/.bin")}:${process.env.PATH}`,
};
for (const schema of [join(root, "prisma/schema.prisma"), pgSchema]) {
  execFileSync("prisma", ["generate", "--schema", schema], { cwd: root, env, stdio: "inherit" });
}
