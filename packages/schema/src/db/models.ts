// The datamodel's model names, for callers outside this package that must cover every table
// (test snapshots) without reaching into the generated client.
import { Prisma } from "./generated/sqlite/client.ts";

export type ModelName = Prisma.ModelName;

export const modelNames: readonly ModelName[] = Object.values(Prisma.ModelName);
