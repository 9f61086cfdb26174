-- CreateTable
CREATE TABLE "SimTransfer" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "sourceOperatorId" TEXT NOT NULL,
    "destinationOperatorId" TEXT NOT NULL,
    "destinationEmail" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'PENDING',
    "tokenHash" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" DATETIME NOT NULL,
    "acceptedAt" DATETIME,
    "canceledAt" DATETIME,
    "transferDate" TEXT,
    CONSTRAINT "SimTransfer_sourceOperatorId_fkey" FOREIGN KEY ("sourceOperatorId") REFERENCES "Operator" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SimTransfer_destinationOperatorId_fkey" FOREIGN KEY ("destinationOperatorId") REFERENCES "Operator" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SimTransferItem" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "transferId" TEXT NOT NULL,
    "simId" TEXT NOT NULL,
    "imsi" TEXT NOT NULL,
    "position" INTEGER NOT NULL,
    CONSTRAINT "SimTransferItem_transferId_fkey" FOREIGN KEY ("transferId") REFERENCES "SimTransfer" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SimTransferItem_simId_fkey" FOREIGN KEY ("simId") REFERENCES "Sim" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Sim_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator" ("id") ON DELETE SET NULL ON UPDATE CASCADE,
    CONSTRAINT "Sim_pendingTransferId_fkey" FOREIGN KEY ("pendingTransferId") REFERENCES "SimTransfer" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);
INSERT INTO "new_Sim" ("coverage", "createdAt", "expiresAt", "expiryAction", "expiryAppliedAt", "iccid", "id", "imsi", "listedUntil", "msisdn", "name", "nameKey", "operatorId", "ownedSince", "registeredAt", "registrationSecretHash", "returnRequired", "searchText", "sessionOnline", "status", "subscription", "terminatedAt", "terminationProtected", "updatedAt") SELECT "coverage", "createdAt", "expiresAt", "expiryAction", "expiryAppliedAt", "iccid", "id", "imsi", "listedUntil", "msisdn", "name", "nameKey", "operatorId", "ownedSince", "registeredAt", "registrationSecretHash", "returnRequired", "searchText", "sessionOnline", "status", "subscription", "terminatedAt", "terminationProtected", "updatedAt" FROM "Sim";
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
CREATE INDEX "Sim_expiresAt_idx" ON "Sim"("expiresAt");
CREATE INDEX "Sim_pendingTransferId_idx" ON "Sim"("pendingTransferId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE UNIQUE INDEX "SimTransfer_tokenHash_key" ON "SimTransfer"("tokenHash");

-- CreateIndex
CREATE INDEX "SimTransfer_sourceOperatorId_status_createdAt_idx" ON "SimTransfer"("sourceOperatorId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "SimTransfer_destinationOperatorId_status_createdAt_idx" ON "SimTransfer"("destinationOperatorId", "status", "createdAt");

-- CreateIndex
CREATE INDEX "SimTransfer_status_expiresAt_idx" ON "SimTransfer"("status", "expiresAt");

-- CreateIndex
CREATE INDEX "SimTransferItem_simId_idx" ON "SimTransferItem"("simId");

-- CreateIndex
CREATE UNIQUE INDEX "SimTransferItem_transferId_simId_key" ON "SimTransferItem"("transferId", "simId");
