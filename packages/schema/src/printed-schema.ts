import { dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { lexicographicSortSchema, printSchema } from "graphql";
import { schema } from "./graphql/index.ts";

export const printedSchemaPath = resolve(dirname(fileURLToPath(import.meta.url)), "../schema.graphql");

/** Sorted, so the file's diff shows what changed rather than where a type was defined. */
export function printedSchema(): string {
  return `${printSchema(lexicographicSortSchema(schema))}\n`;
}
