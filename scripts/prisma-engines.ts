// The database engines Simgate runs on, and how each one's Prisma schema is derived from the
// single source in prisma/schema.prisma.
export const providers = ["sqlite", "postgresql"] as const;
export type Provider = (typeof providers)[number];

/** The source schema with its datasource provider swapped (and the Pothos generator dropped). */
export function schemaFor(provider: Provider, source: string): string {
  if (provider === "sqlite") return source;
  return source
    .replace(/generator pothos \{[^}]*\}\n\n/, "")
    .replace(/(datasource db \{\s*provider\s*=\s*)"sqlite"/, `$1"postgresql"`)
    .replace('output       = "../packages/schema/src/db/generated/sqlite"', 'output       = "./postgresql"');
}
