-- CreateTable
CREATE TABLE "AccountRecoveryRequest" (
    "id" TEXT NOT NULL,
    "givenOperatorId" TEXT,
    "givenEmail" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "AccountRecoveryRequest_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "AccountRecoveryRequest_createdAt_idx" ON "AccountRecoveryRequest"("createdAt");

-- Answers stored before idempotency records were sealed hold bearer tokens and auth-key secrets in
-- plain text: forget them (a retry of one of those requests now runs again).
DELETE FROM "IdempotencyRecord" WHERE "status" IS NOT NULL;
