-- CreateEnum
CREATE TYPE "SimTransferStatus" AS ENUM ('ACCEPTED', 'CANCELED', 'EXPIRED', 'PENDING', 'REJECTED');

-- AlterTable
ALTER TABLE "Sim" ADD COLUMN     "pendingTransferId" TEXT;

-- CreateTable
CREATE TABLE "SimTransfer" (
    "id" TEXT NOT NULL,
    "sourceOperatorId" TEXT NOT NULL,
    "destinationOperatorId" TEXT NOT NULL,
    "destinationEmail" TEXT NOT NULL,
    "status" "SimTransferStatus" NOT NULL DEFAULT 'PENDING',
    "tokenHash" TEXT,
    "createdAt" TIMESTAMP(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "expiresAt" TIMESTAMP(3) NOT NULL,
    "acceptedAt" TIMESTAMP(3),
    "canceledAt" TIMESTAMP(3),
    "transferDate" TEXT,

    CONSTRAINT "SimTransfer_pkey" PRIMARY KEY ("id")
);

-- CreateTable
CREATE TABLE "SimTransferItem" (
    "id" TEXT NOT NULL,
    "transferId" TEXT NOT NULL,
    "simId" TEXT NOT NULL,
    "imsi" TEXT NOT NULL,
    "position" INTEGER NOT NULL,

    CONSTRAINT "SimTransferItem_pkey" PRIMARY KEY ("id")
);

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

-- CreateIndex
CREATE INDEX "Sim_pendingTransferId_idx" ON "Sim"("pendingTransferId");

-- AddForeignKey
ALTER TABLE "Sim" ADD CONSTRAINT "Sim_pendingTransferId_fkey" FOREIGN KEY ("pendingTransferId") REFERENCES "SimTransfer"("id") ON DELETE SET NULL ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SimTransfer" ADD CONSTRAINT "SimTransfer_sourceOperatorId_fkey" FOREIGN KEY ("sourceOperatorId") REFERENCES "Operator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SimTransfer" ADD CONSTRAINT "SimTransfer_destinationOperatorId_fkey" FOREIGN KEY ("destinationOperatorId") REFERENCES "Operator"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SimTransferItem" ADD CONSTRAINT "SimTransferItem_transferId_fkey" FOREIGN KEY ("transferId") REFERENCES "SimTransfer"("id") ON DELETE CASCADE ON UPDATE CASCADE;

-- AddForeignKey
ALTER TABLE "SimTransferItem" ADD CONSTRAINT "SimTransferItem_simId_fkey" FOREIGN KEY ("simId") REFERENCES "Sim"("id") ON DELETE CASCADE ON UPDATE CASCADE;
