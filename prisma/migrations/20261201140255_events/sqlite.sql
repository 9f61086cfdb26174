-- CreateTable
CREATE TABLE "Event" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "operatorId" TEXT NOT NULL,
    "sequence" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "at" DATETIME NOT NULL,
    "actor" TEXT NOT NULL,
    "simId" TEXT,
    "imsi" TEXT,
    "simTransferId" TEXT,
    "supportTicketId" TEXT,
    "data" TEXT NOT NULL DEFAULT '{}',
    CONSTRAINT "Event_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- RedefineTables
PRAGMA defer_foreign_keys=ON;
PRAGMA foreign_keys=OFF;
CREATE TABLE "new_Operator" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "operatorId" TEXT NOT NULL,
    "name" TEXT NOT NULL,
    "passwordHash" TEXT NOT NULL,
    "supportPlan" TEXT NOT NULL DEFAULT 'BASIC',
    "paymentMethodType" TEXT,
    "cardLast4" TEXT,
    "paymentRegisteredAt" DATETIME,
    "invoiceCompanyName" TEXT,
    "invoiceDeliveryMethod" TEXT,
    "invoiceEmail" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "updatedAt" DATETIME NOT NULL,
    "lastEventSequence" BIGINT NOT NULL DEFAULT 0,
    "prunedEventSequence" BIGINT NOT NULL DEFAULT 0
);
INSERT INTO "new_Operator" ("cardLast4", "createdAt", "id", "invoiceCompanyName", "invoiceDeliveryMethod", "invoiceEmail", "name", "operatorId", "passwordHash", "paymentMethodType", "paymentRegisteredAt", "supportPlan", "updatedAt") SELECT "cardLast4", "createdAt", "id", "invoiceCompanyName", "invoiceDeliveryMethod", "invoiceEmail", "name", "operatorId", "passwordHash", "paymentMethodType", "paymentRegisteredAt", "supportPlan", "updatedAt" FROM "Operator";
DROP TABLE "Operator";
ALTER TABLE "new_Operator" RENAME TO "Operator";
CREATE UNIQUE INDEX "Operator_operatorId_key" ON "Operator"("operatorId");
PRAGMA foreign_keys=ON;
PRAGMA defer_foreign_keys=OFF;

-- CreateIndex
CREATE INDEX "Event_operatorId_type_sequence_idx" ON "Event"("operatorId", "type", "sequence");

-- CreateIndex
CREATE INDEX "Event_at_idx" ON "Event"("at");

-- CreateIndex
CREATE UNIQUE INDEX "Event_operatorId_sequence_key" ON "Event"("operatorId", "sequence");
