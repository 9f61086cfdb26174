-- CreateTable
CREATE TABLE "EventSubscription" (
    "id" TEXT NOT NULL,
    "operatorId" TEXT NOT NULL,
    "instanceId" TEXT NOT NULL,
    "createdAt" TIMESTAMP(3) NOT NULL,
    "expiresAt" TIMESTAMP(3) NOT NULL,

    CONSTRAINT "EventSubscription_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "EventSubscription_operatorId_expiresAt_idx" ON "EventSubscription"("operatorId", "expiresAt");

-- CreateIndex
CREATE INDEX "EventSubscription_instanceId_idx" ON "EventSubscription"("instanceId");

-- AddForeignKey
ALTER TABLE "EventSubscription" ADD CONSTRAINT "EventSubscription_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator"("id") ON DELETE CASCADE ON UPDATE CASCADE;
