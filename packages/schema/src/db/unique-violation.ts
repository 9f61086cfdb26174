// Both engines report a unique-constraint conflict as Prisma's P2002, through the same runtime
// error class (the generated clients share it), so one check serves SQLite and PostgreSQL.
import { Prisma } from "./generated/sqlite/client.ts";

/**
 * True when `error` is a unique-constraint conflict; with `target`, only when the constraint's
 * description (fields or index name, which differ by engine) mentions it.
 */
export function isUniqueViolation(error: unknown, target?: string): boolean {
  return (
    error instanceof Prisma.PrismaClientKnownRequestError &&
    error.code === "P2002" &&
    (target === undefined || JSON.stringify(error.meta ?? {}).includes(target))
  );
}
