-- CreateTable
CREATE TABLE "SimCount" (
    "operatorId" TEXT NOT NULL,
    "coverage" TEXT NOT NULL,
    "status" TEXT NOT NULL,
    "subscription" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    PRIMARY KEY ("operatorId", "coverage", "status", "subscription")
);

-- Hand-written (Prisma has no triggers): keep SimCount exact on every write to Sim, in the
-- writing transaction. Inventory SIMs (no operator) are not counted.
CREATE TRIGGER "Sim_count_insert" AFTER INSERT ON "Sim" WHEN NEW."operatorId" IS NOT NULL
BEGIN
    INSERT INTO "SimCount" ("operatorId", "coverage", "status", "subscription", "n")
    VALUES (NEW."operatorId", NEW."coverage", NEW."status", NEW."subscription", 1)
    ON CONFLICT ("operatorId", "coverage", "status", "subscription") DO UPDATE SET "n" = "n" + 1;
END;

CREATE TRIGGER "Sim_count_delete" AFTER DELETE ON "Sim" WHEN OLD."operatorId" IS NOT NULL
BEGIN
    UPDATE "SimCount" SET "n" = "n" - 1
    WHERE "operatorId" = OLD."operatorId" AND "coverage" = OLD."coverage" AND "status" = OLD."status" AND "subscription" = OLD."subscription";
END;

CREATE TRIGGER "Sim_count_update" AFTER UPDATE OF "operatorId", "coverage", "status", "subscription" ON "Sim"
WHEN OLD."operatorId" IS NOT NEW."operatorId" OR OLD."coverage" IS NOT NEW."coverage" OR OLD."status" IS NOT NEW."status" OR OLD."subscription" IS NOT NEW."subscription"
BEGIN
    UPDATE "SimCount" SET "n" = "n" - 1
    WHERE OLD."operatorId" IS NOT NULL AND "operatorId" = OLD."operatorId" AND "coverage" = OLD."coverage" AND "status" = OLD."status" AND "subscription" = OLD."subscription";
    INSERT INTO "SimCount" ("operatorId", "coverage", "status", "subscription", "n")
    SELECT NEW."operatorId", NEW."coverage", NEW."status", NEW."subscription", 1 WHERE NEW."operatorId" IS NOT NULL
    ON CONFLICT ("operatorId", "coverage", "status", "subscription") DO UPDATE SET "n" = "n" + 1;
END;

INSERT INTO "SimCount" ("operatorId", "coverage", "status", "subscription", "n")
SELECT "operatorId", "coverage", "status", "subscription", COUNT(*) FROM "Sim" WHERE "operatorId" IS NOT NULL
GROUP BY "operatorId", "coverage", "status", "subscription";
