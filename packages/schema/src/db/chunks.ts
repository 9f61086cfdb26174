// Prisma's SQLite driver binds at most 999 parameters per statement: long ID lists go in chunks.
export const PARAMS_PER_CHUNK = 400;

export function chunked<T>(items: readonly T[], size = PARAMS_PER_CHUNK): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}
