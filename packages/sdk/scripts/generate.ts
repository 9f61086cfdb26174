// `pnpm --filter @simgate/sdk generate`: rewrites src/generated from the schema and the documents.
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { generatedDir, generateSources } from "./codegen.ts";

const files = await generateSources();
mkdirSync(generatedDir, { recursive: true });
for (const [name, content] of files) {
  writeFileSync(join(generatedDir, name), content);
  console.log(`generated src/generated/${name}`);
}
