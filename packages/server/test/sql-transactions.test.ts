// Transactions of hand-written statements (db/transaction-sql.ts sqlTransaction), which the
// single-SIM changes of an operator open instead of Prisma's interactive transactions: they must
// keep what `$transaction` promises — all or nothing, one at a time on SQLite's one connection, no
// longer than their timeout and no later than their wait to begin — on both engines.
import { afterAll, expect, it } from "vitest";
import { createDb, parseDatabaseUrl, providerOf } from "@simgate/schema/db/database";
import { migrate } from "@simgate/schema/db/migrate";
import { sqlTransaction, transactionSql } from "@simgate/schema/db/transaction-sql";
import { isBusyFailure } from "@simgate/schema/db/write-limits";
import { createTestDatabase } from "./support/test-database.ts";

const database = await createTestDatabase();
await migrate(parseDatabaseUrl(database.url));
const db = await createDb(parseDatabaseUrl(database.url), { poolSize: 1 });
afterAll(async () => {
  await db.$disconnect();
  await database.drop();
});

const sqlite = providerOf(db) === "sqlite";
const rename = (id: string, name: string) => [`UPDATE "Operator" SET "name" = ${sqlite ? "?" : "$1"} WHERE "id" = ${sqlite ? "?" : "$2"}`, [name, id]] as const;
const nameOf = async (id: string) => (await db.operator.findUniqueOrThrow({ where: { id } })).name;
const operator = (operatorId: string) => db.operator.create({ data: { operatorId, name: operatorId, passwordHash: "x" } });
const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

it("V1, O6: a SQL-only transaction commits all of its statements, or none of them when its work throws", async () => {
  const [a, b] = [await operator("SQT-A"), await operator("SQT-B")];
  await sqlTransaction(db, async (tx) => {
    await transactionSql(tx)(...rename(a.id, "committed A"));
    await transactionSql(tx)(...rename(b.id, "committed B"));
  });
  expect([await nameOf(a.id), await nameOf(b.id)]).toEqual(["committed A", "committed B"]);

  const failed = sqlTransaction(db, async (tx) => {
    await transactionSql(tx)(...rename(a.id, "rolled back A"));
    await transactionSql(tx)(...rename(b.id, "rolled back B"));
    throw new Error("the work's own error");
  });
  await expect(failed).rejects.toThrow("the work's own error");
  expect([await nameOf(a.id), await nameOf(b.id)]).toEqual(["committed A", "committed B"]);
});

it("a SQL-only transaction past its timeout is rolled back at once, refuses its later statements and fails as busy (OPERATOR_BUSY to the client)", async () => {
  const a = await operator("SQT-T");
  let later: Promise<unknown> | undefined;
  const slow = sqlTransaction(
    db,
    async (tx) => {
      await transactionSql(tx)(...rename(a.id, "never committed"));
      await pause(400);
      later = transactionSql(tx)(...rename(a.id, "after the timeout"));
      await later;
    },
    { timeout: 150 },
  );
  const error = await slow.then(() => null, (e: unknown) => e);
  expect(isBusyFailure(error)).toBe(true);
  await expect(later).rejects.toMatchObject({ code: "P2028" });
  expect(await nameOf(a.id)).toBe("SQT-T");
  // The connection (SQLite's one, PostgreSQL's pool of one here) is free again.
  await sqlTransaction(db, (tx) => transactionSql(tx)(...rename(a.id, "next one")));
  expect(await nameOf(a.id)).toBe("next one");
});

it("a SQL-only transaction that cannot begin within its wait fails as busy, and the one holding the connection is undisturbed", async () => {
  const a = await operator("SQT-W");
  let inside!: () => void;
  const opened = new Promise<void>((resolve) => (inside = resolve));
  // On SQLite the first transaction holds the one connection's turn; on PostgreSQL the pool's only connection.
  const holder = db.$transaction(async (tx) => {
    await tx.operator.update({ where: { id: a.id }, data: { name: "holder" } });
    inside();
    await pause(500);
  });
  await opened;
  const waiting = sqlTransaction(db, (tx) => transactionSql(tx)(...rename(a.id, "waiter")), { maxWait: 100 });
  const error = await waiting.then(() => null, (e: unknown) => e);
  expect(isBusyFailure(error)).toBe(true);
  await holder;
  expect(await nameOf(a.id)).toBe("holder");
  // The turn or connection it would have had, had it come late, was handed back.
  await sqlTransaction(db, (tx) => transactionSql(tx)(...rename(a.id, "after")), { maxWait: 1000 });
  expect(await nameOf(a.id)).toBe("after");
});

it("a SQL-only transaction waits for a Prisma transaction holding the connection (SQLite's one, here PostgreSQL's pool of one) and never joins it", async () => {
  const a = await operator("SQT-S");
  const order: string[] = [];
  let inside!: () => void;
  const opened = new Promise<void>((resolve) => (inside = resolve));
  const prismas = db
    .$transaction(async (tx) => {
      await tx.operator.update({ where: { id: a.id }, data: { name: "Prisma's, rolled back" } });
      inside();
      await pause(200);
      order.push("Prisma's ends");
      throw new Error("roll back");
    })
    .catch(() => undefined);
  await opened;
  await sqlTransaction(db, async (tx) => {
    order.push("SQL-only begins");
    await transactionSql(tx)(...rename(a.id, "SQL-only's"));
  });
  await prismas;
  expect(await nameOf(a.id)).toBe("SQL-only's");
  // Both engines make the second wait: SQLite for the one connection, PostgreSQL for the pool's one.
  expect(order).toEqual(["Prisma's ends", "SQL-only begins"]);
});

it("V1, O6: a model call on a SQL-only transaction throws, and nothing of it is written", async () => {
  const a = await operator("SQT-M");
  const misuse = sqlTransaction(db, async (tx) => {
    await transactionSql(tx)(...rename(a.id, "half of it"));
    await tx.operator.update({ where: { id: a.id }, data: { name: "through Prisma" } });
  });
  await expect(misuse).rejects.toThrow(/hand-written statements only/);
  expect(await nameOf(a.id)).toBe("SQT-M");
});
