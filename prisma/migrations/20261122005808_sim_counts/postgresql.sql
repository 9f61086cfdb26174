-- CreateTable
CREATE TABLE "SimCount" (
    "operatorId" TEXT NOT NULL,
    "coverage" "Coverage" NOT NULL,
    "status" "SimStatus" NOT NULL,
    "subscription" TEXT NOT NULL,
    "n" INTEGER NOT NULL,

    CONSTRAINT "SimCount_pkey" PRIMARY KEY ("operatorId","coverage","status","subscription")
);

-- Hand-written (Prisma has no triggers): keep SimCount exact on every write to Sim, in the
-- writing transaction. Inventory SIMs (no operator) are not counted.
CREATE FUNCTION "Sim_count"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."operatorId" IS NOT NULL THEN
        UPDATE "SimCount" SET "n" = "n" - 1
        WHERE "operatorId" = OLD."operatorId" AND "coverage" = OLD."coverage" AND "status" = OLD."status" AND "subscription" = OLD."subscription";
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW."operatorId" IS NOT NULL THEN
        INSERT INTO "SimCount" ("operatorId", "coverage", "status", "subscription", "n")
        VALUES (NEW."operatorId", NEW."coverage", NEW."status", NEW."subscription", 1)
        ON CONFLICT ("operatorId", "coverage", "status", "subscription") DO UPDATE SET "n" = "SimCount"."n" + 1;
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "Sim_count_insert_delete" AFTER INSERT OR DELETE ON "Sim" FOR EACH ROW EXECUTE FUNCTION "Sim_count"();

CREATE TRIGGER "Sim_count_update" AFTER UPDATE OF "operatorId", "coverage", "status", "subscription" ON "Sim" FOR EACH ROW
WHEN (OLD."operatorId" IS DISTINCT FROM NEW."operatorId" OR OLD."coverage" IS DISTINCT FROM NEW."coverage"
      OR OLD."status" IS DISTINCT FROM NEW."status" OR OLD."subscription" IS DISTINCT FROM NEW."subscription")
EXECUTE FUNCTION "Sim_count"();

INSERT INTO "SimCount" ("operatorId", "coverage", "status", "subscription", "n")
SELECT "operatorId", "coverage", "status", "subscription", COUNT(*) FROM "Sim" WHERE "operatorId" IS NOT NULL
GROUP BY "operatorId", "coverage", "status", "subscription";
