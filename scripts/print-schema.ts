// Writes the built schema to packages/schema/schema.graphql, committed so every API change shows
// as a diff. A test fails when the file is stale; the SDK generates its types from it.
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { printedSchema, printedSchemaPath } from "../packages/schema/src/printed-schema.ts";

writeFileSync(printedSchemaPath, printedSchema());
console.log(`Wrote ${join("packages/schema", "schema.graphql")}`);
