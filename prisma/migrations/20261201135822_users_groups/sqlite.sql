-- CreateTable
CREATE TABLE "User" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "operatorId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "passwordHash" TEXT,
    "permissions" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "User_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SimGroup" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "operatorId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "description" TEXT,
    "simCount" INTEGER NOT NULL DEFAULT 0,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "SimGroup_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Session" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "operatorId" TEXT NOT NULL,
    "tokenHash" TEXT NOT NULL,
    "actor" TEXT NOT NULL,
    "authKeyId" TEXT,
    "userId" TEXT,
    "expiresAt" DATETIME NOT NULL,
    "revokedAt" DATETIME,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    CONSTRAINT "Session_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "Session_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_Session" ("actor", "authKeyId", "createdAt", "expiresAt", "id", "operatorId", "revokedAt", "tokenHash") SELECT "actor", "authKeyId", "createdAt", "expiresAt", "id", "operatorId", "revokedAt", "tokenHash" FROM "Session";
DROP TABLE "Session";
ALTER TABLE "new_Session" RENAME TO "Session";
CREATE UNIQUE INDEX "Session_tokenHash_key" ON "Session"("tokenHash");
CREATE INDEX "Session_operatorId_idx" ON "Session"("operatorId");
CREATE INDEX "Session_authKeyId_idx" ON "Session"("authKeyId");
CREATE INDEX "Session_userId_idx" ON "Session"("userId");
CREATE TABLE "new_AuthKey" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "operatorId" TEXT NOT NULL,
    "authKeyId" TEXT NOT NULL,
    "secretHash" TEXT NOT NULL,
    "userId" TEXT,
    "expiresAt" DATETIME,
    "allowedCidrs" TEXT NOT NULL DEFAULT '[]',
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "lastUsedAt" DATETIME,
    CONSTRAINT "AuthKey_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "AuthKey_userId_fkey" FOREIGN KEY ("userId") REFERENCES "User" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);
INSERT INTO "new_AuthKey" ("authKeyId", "createdAt", "id", "lastUsedAt", "operatorId", "secretHash") SELECT "authKeyId", "createdAt", "id", "lastUsedAt", "operatorId", "secretHash" FROM "AuthKey";
DROP TABLE "AuthKey";
ALTER TABLE "new_AuthKey" RENAME TO "AuthKey";
CREATE UNIQUE INDEX "AuthKey_authKeyId_key" ON "AuthKey"("authKeyId");
CREATE INDEX "AuthKey_operatorId_idx" ON "AuthKey"("operatorId");
CREATE INDEX "AuthKey_userId_idx" ON "AuthKey"("userId");
CREATE TABLE "new_Sim" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "operatorId" TEXT,
    "imsi" TEXT NOT NULL,
    "iccid" TEXT NOT NULL,
    "msisdn" TEXT,
    "subscription" TEXT NOT NULL,
    "coverage" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'READY',
    "registrationSecretHash" TEXT NOT NULL,
    "name" TEXT NOT NULL DEFAULT '',
    "searchText" TEXT NOT NULL,
    "nameKey" TEXT NOT NULL DEFAULT '',
    "terminationProtected" BOOLEAN NOT NULL DEFAULT true,
    "expiresAt" DATETIME,
    "expiryAction" TEXT,
    "expiryAppliedAt" DATETIME,
    "sessionOnline" BOOLEAN NOT NULL DEFAULT false,
    "returnRequired" BOOLEAN NOT NULL DEFAULT false,
    "ownedSince" TEXT,
    "registeredAt" DATETIME,
    "terminatedAt" DATETIME,
    "listedUntil" DATETIME NOT NULL,
    "pendingTransferId" TEXT,
    "groupId" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Sim_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Sim_pendingTransferId_fkey" FOREIGN KEY ("pendingTransferId") REFERENCES "SimTransfer" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Sim_groupId_fkey" FOREIGN KEY ("groupId") REFERENCES "SimGroup" ("id") ON DELETE RESTRICT ON UPDATE CASCADE
);
INSERT INTO "new_Sim" ("coverage", "createdAt", "expiresAt", "expiryAction", "expiryAppliedAt", "iccid", "id", "imsi", "listedUntil", "msisdn", "name", "nameKey", "operatorId", "ownedSince", "pendingTransferId", "registeredAt", "registrationSecretHash", "returnRequired", "searchText", "sessionOnline", "status", "subscription", "terminatedAt", "terminationProtected", "updatedAt") SELECT "coverage", "createdAt", "expiresAt", "expiryAction", "expiryAppliedAt", "iccid", "id", "imsi", "listedUntil", "msisdn", "name", "nameKey", "operatorId", "ownedSince", "pendingTransferId", "registeredAt", "registrationSecretHash", "returnRequired", "searchText", "sessionOnline", "status", "subscription", "terminatedAt", "terminationProtected", "updatedAt" FROM "Sim";
DROP TABLE "Sim";
ALTER TABLE "new_Sim" RENAME TO "Sim";
CREATE UNIQUE INDEX "Sim_imsi_key" ON "Sim"("imsi");
CREATE UNIQUE INDEX "Sim_iccid_key" ON "Sim"("iccid");
CREATE INDEX "Sim_operatorId_registeredAt_id_idx" ON "Sim"("operatorId", "registeredAt", "id");
CREATE INDEX "Sim_operatorId_coverage_registeredAt_id_idx" ON "Sim"("operatorId", "coverage", "registeredAt", "id");
CREATE INDEX "Sim_operatorId_status_registeredAt_id_idx" ON "Sim"("operatorId", "status", "registeredAt", "id");
CREATE INDEX "Sim_operatorId_coverage_status_registeredAt_id_idx" ON "Sim"("operatorId", "coverage", "status", "registeredAt", "id");
CREATE INDEX "Sim_operatorId_imsi_idx" ON "Sim"("operatorId", "imsi");
CREATE INDEX "Sim_operatorId_coverage_imsi_idx" ON "Sim"("operatorId", "coverage", "imsi");
CREATE INDEX "Sim_operatorId_name_id_idx" ON "Sim"("operatorId", "name", "id");
CREATE INDEX "Sim_operatorId_coverage_name_id_idx" ON "Sim"("operatorId", "coverage", "name", "id");
CREATE INDEX "Sim_operatorId_status_id_idx" ON "Sim"("operatorId", "status", "id");
CREATE INDEX "Sim_operatorId_coverage_status_id_idx" ON "Sim"("operatorId", "coverage", "status", "id");
CREATE INDEX "Sim_operatorId_groupId_registeredAt_id_idx" ON "Sim"("operatorId", "groupId", "registeredAt", "id");
CREATE INDEX "Sim_groupId_idx" ON "Sim"("groupId");
CREATE INDEX "Sim_expiresAt_idx" ON "Sim"("expiresAt");
CREATE INDEX "Sim_pendingTransferId_idx" ON "Sim"("pendingTransferId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "User_operatorId_createdAt_id_idx" ON "User"("operatorId", "createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "User_operatorId_name_key" ON "User"("operatorId", "name");

-- CreateIndex
CREATE INDEX "SimGroup_operatorId_createdAt_id_idx" ON "SimGroup"("operatorId", "createdAt", "id");

-- CreateIndex
CREATE UNIQUE INDEX "SimGroup_operatorId_name_key" ON "SimGroup"("operatorId", "name");

-- Hand-written: SQLite rebuilt "Sim" above (a new foreign key), which dropped its triggers; the
-- S1 counters (sim_counts migration) are created again, unchanged.
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

-- Hand-written (Prisma has no triggers): G1 SimGroup.simCount stays exact on every change of a
-- SIM's group, in the writing transaction, so reading it never scans.
CREATE TRIGGER "Sim_group_count_insert" AFTER INSERT ON "Sim" WHEN NEW."groupId" IS NOT NULL
BEGIN
    UPDATE "SimGroup" SET "simCount" = "simCount" + 1 WHERE "id" = NEW."groupId";
END;

CREATE TRIGGER "Sim_group_count_delete" AFTER DELETE ON "Sim" WHEN OLD."groupId" IS NOT NULL
BEGIN
    UPDATE "SimGroup" SET "simCount" = "simCount" - 1 WHERE "id" = OLD."groupId";
END;

CREATE TRIGGER "Sim_group_count_update" AFTER UPDATE OF "groupId" ON "Sim" WHEN OLD."groupId" IS NOT NEW."groupId"
BEGIN
    UPDATE "SimGroup" SET "simCount" = "simCount" - 1 WHERE "id" = OLD."groupId";
    UPDATE "SimGroup" SET "simCount" = "simCount" + 1 WHERE "id" = NEW."groupId";
END;
