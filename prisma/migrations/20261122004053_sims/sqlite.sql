-- CreateTable
CREATE TABLE "Sim" (
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
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    CONSTRAINT "Sim_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator" ("id") ON DELETE SET NULL ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SimTag" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "simId" TEXT NOT NULL,
    "operatorId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "value" TEXT NOT NULL,
    "valueKey" TEXT NOT NULL,
    CONSTRAINT "SimTag_simId_fkey" FOREIGN KEY ("simId") REFERENCES "Sim" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SimTag_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateTable
CREATE TABLE "SimStatusChange" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "simId" TEXT NOT NULL,
    "operatorId" TEXT NOT NULL,
    "from" TEXT,
    "to" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "cause" TEXT NOT NULL,
    "reactivation" BOOLEAN NOT NULL DEFAULT false,
    CONSTRAINT "SimStatusChange_simId_fkey" FOREIGN KEY ("simId") REFERENCES "Sim" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "SimStatusChange_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "Sim_imsi_key" ON "Sim"("imsi");

-- CreateIndex
CREATE UNIQUE INDEX "Sim_iccid_key" ON "Sim"("iccid");

-- CreateIndex
CREATE INDEX "Sim_operatorId_registeredAt_id_idx" ON "Sim"("operatorId", "registeredAt", "id");

-- CreateIndex
CREATE INDEX "Sim_operatorId_coverage_registeredAt_id_idx" ON "Sim"("operatorId", "coverage", "registeredAt", "id");

-- CreateIndex
CREATE INDEX "Sim_operatorId_status_registeredAt_id_idx" ON "Sim"("operatorId", "status", "registeredAt", "id");

-- CreateIndex
CREATE INDEX "Sim_operatorId_coverage_status_registeredAt_id_idx" ON "Sim"("operatorId", "coverage", "status", "registeredAt", "id");

-- CreateIndex
CREATE INDEX "Sim_operatorId_imsi_idx" ON "Sim"("operatorId", "imsi");

-- CreateIndex
CREATE INDEX "Sim_operatorId_coverage_imsi_idx" ON "Sim"("operatorId", "coverage", "imsi");

-- CreateIndex
CREATE INDEX "Sim_operatorId_name_id_idx" ON "Sim"("operatorId", "name", "id");

-- CreateIndex
CREATE INDEX "Sim_operatorId_coverage_name_id_idx" ON "Sim"("operatorId", "coverage", "name", "id");

-- CreateIndex
CREATE INDEX "Sim_operatorId_status_id_idx" ON "Sim"("operatorId", "status", "id");

-- CreateIndex
CREATE INDEX "Sim_operatorId_coverage_status_id_idx" ON "Sim"("operatorId", "coverage", "status", "id");

-- CreateIndex
CREATE INDEX "Sim_expiresAt_idx" ON "Sim"("expiresAt");

-- CreateIndex
CREATE INDEX "SimTag_operatorId_name_value_idx" ON "SimTag"("operatorId", "name", "value");

-- CreateIndex
CREATE INDEX "SimTag_operatorId_name_valueKey_idx" ON "SimTag"("operatorId", "name", "valueKey");

-- CreateIndex
CREATE UNIQUE INDEX "SimTag_simId_name_key" ON "SimTag"("simId", "name");

-- CreateIndex
CREATE INDEX "SimStatusChange_simId_operatorId_at_idx" ON "SimStatusChange"("simId", "operatorId", "at");
