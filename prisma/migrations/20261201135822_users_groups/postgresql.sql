-- AlterTable
ALTER TABLE "Session" ADD COLUMN     "userId" TEXT;

-- AlterTable
ALTER TABLE "AuthKey" ADD COLUMN     "allowedCidrs" TEXT NOT NULL DEFAULT '[]',
ADD COLUMN     "expiresAt" TIMESTAMP(3),
ADD COLUMN     "userId" TEXT;

-- AlterTable
ALTER TABLE "Sim" ADD COLUMN     "groupId" TEXT;

-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL,
    "operatorId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "passwordHash" TEXT,
    "permissions" TEXT NOT NULL DEFAULT '[]',
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "User_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SimGroup" (
    "id" TEXT NOT NULL,
    "operatorId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "simCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "SimGroup_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "User_operatorId_createdAt_id_idx" ON "User"("operatorId", "createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "User_operatorId_name_key" ON "User"("operatorId", "name");

-- CreateIndex
CREATE INDEX "SimGroup_operatorId_createdAt_id_idx" ON "SimGroup"("operatorId", "createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "SimGroup_operatorId_name_key" ON "SimGroup"("operatorId", "name");

-- CreateIndex
CREATE INDEX "Session_userId_idx" ON "Session"("userId");

-- CreateIndex
CREATE INDEX "AuthKey_userId_idx" ON "AuthKey"("userId");

-- CreateIndex
CREATE INDEX "Sim_operatorId_groupId_registeredAt_id_idx" ON "Sim"("operatorId", "groupId", "registeredAt", "id");

-- CreateIndex
CREATE INDEX "Sim_groupId_idx" ON "Sim"("groupId");

-- AddForeignKey
ALTER TABLE "Session" ADD CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "AuthKey" ADD CONSTRAINT "AuthKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "User" ADD CONSTRAINT "User_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SimGroup" ADD CONSTRAINT "SimGroup_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "Sim" ADD CONSTRAINT "Sim_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "SimGroup"("id") ON DELETE RESTRICT ON UPDATE CASCADE;

-- Hand-written (Prisma has no triggers): G1 SimGroup.simCount stays exact on every change of a
-- SIM's group, in the writing transaction, so reading it never scans.
CREATE FUNCTION "Sim_group_count"() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD."groupId" IS NOT NULL THEN
        UPDATE "SimGroup" SET "simCount" = "simCount" - 1 WHERE "id" = OLD."groupId";
    END IF;
    IF TG_OP IN ('UPDATE', 'INSERT') AND NEW."groupId" IS NOT NULL THEN
        UPDATE "SimGroup" SET "simCount" = "simCount" + 1 WHERE "id" = NEW."groupId";
    END IF;
    RETURN NULL;
END;
$$;

CREATE TRIGGER "Sim_group_count_insert_delete" AFTER INSERT OR DELETE ON "Sim" FOR EACH ROW EXECUTE FUNCTION "Sim_group_count"();

CREATE TRIGGER "Sim_group_count_update" AFTER UPDATE OF "groupId" ON "Sim" FOR EACH ROW
WHEN (OLD."groupId" IS DISTINCT FROM NEW."groupId")
EXECUTE FUNCTION "Sim_group_count"();
