// The database's types, apart from the code that connects (database.ts) so that the modules it
// builds on (sql-reader.ts) can name them without importing it back.
import type { PrismaClient, Prisma } from "./generated/sqlite/client.ts";

export type Db = PrismaClient;
/** A transaction's client; a Db is one too, for code that works either way. */
export type Tx = Prisma.TransactionClient;
export type Provider = "sqlite" | "postgresql";

export interface DatabaseTarget {
  provider: Provider;
  url: string;
  /** SQLite only: the database file's absolute path. */
  file?: string;
}
