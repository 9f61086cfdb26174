// The driver-level autocommit statement (db/sql-reader.ts) beside a transaction another caller has
// open: it must never become part of that transaction. On SQLite both share Prisma's one
// connection, so the statement waits for the transaction to end; on PostgreSQL it runs on another
// pooled connection at once. Either way a rollback of the transaction leaves it in place.
import { afterAll, expect, it } from "vitest";
import { createDb, parseDatabaseUrl, providerOf, sqlReaderOf } from "@simgate/schema/db/database";
import { migrate } from "@simgate/schema/db/migrate";
import { createTestDatabase } from "./support/test-database.ts";

const database = await createTestDatabase();
await migrate(parseDatabaseUrl(database.url));
const db = await createDb(parseDatabaseUrl(database.url), { poolSize: 3 });
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

it("V8: a claim-like autocommit statement sent while another request's transaction is open is not undone by that transaction's rollback", async () => {
  const [a, b] = await Promise.all(
    ["AC-A", "AC-B"].map((operatorId) => db.operator.create({ data: { operatorId, name: operatorId, passwordHash: "x" } })),
  );
  const sqlite = providerOf(db) === "sqlite";
  const events: string[] = [];
  let inside!: () => void;
  const opened = new Promise<void>((resolve) => (inside = resolve));
  const transaction = db
    .$transaction(async (tx) => {
      await tx.operator.update({ where: { id: a!.id }, data: { name: "changed inside" } });
      inside();
      await new Promise((r) => setTimeout(r, 300));
      events.push("transaction ends");
      throw new Error("roll back");
    })
    .catch((error: Error) => error.message);
  await opened;
  const sql = `UPDATE "Operator" SET "name" = ${sqlite ? "?" : "$1"} WHERE "id" = ${sqlite ? "?" : "$2"}`;
  await sqlReaderOf(db).autocommit(sql, ["changed beside", b!.id]);
  events.push("autocommit done");
  expect(await transaction).toBe("roll back");

  const names = await db.operator.findMany({ where: { id: { in: [a!.id, b!.id] } }, select: { operatorId: true, name: true }, orderBy: { operatorId: "asc" } });
  expect(names).toEqual([
    { operatorId: "AC-A", name: "AC-A" }, // rolled back
    { operatorId: "AC-B", name: "changed beside" }, // kept
  ]);
  // SQLite: the statement waited for the transaction; PostgreSQL: it did not have to.
  expect(events).toEqual(sqlite ? ["transaction ends", "autocommit done"] : ["autocommit done", "transaction ends"]);
});
