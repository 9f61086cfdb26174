-- CreateTable
CREATE TABLE "AccountRecoveryRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "givenOperatorId" TEXT,
    "givenEmail" TEXT,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP
);

-- CreateIndex
CREATE INDEX "AccountRecoveryRequest_createdAt_idx" ON "AccountRecoveryRequest"("createdAt");

-- Answers stored before idempotency records were sealed hold bearer tokens and auth-key secrets in
-- plain text: forget them (a retry of one of those requests now runs again).
DELETE FROM "IdempotencyRecord" WHERE "status" IS NOT NULL;
