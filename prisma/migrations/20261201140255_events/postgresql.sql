-- AlterTable
ALTER TABLE "Operator" ADD COLUMN     "lastEventSequence" BIGINT NOT NULL DEFAULT 0,
ADD COLUMN     "prunedEventSequence" BIGINT NOT NULL DEFAULT 0;

-- CreateTable
CREATE TABLE "Event" (
    "id" TEXT NOT NULL,
    "operatorId" TEXT NOT NULL,
    "sequence" BIGINT NOT NULL,
    "type" TEXT NOT NULL,
    "at" TIMESTAMP(3) NOT NULL,
    "actor" TEXT NOT NULL,
    "simId" TEXT,
    "imsi" TEXT,
    "simTransferId" TEXT,
    "supportTicketId" TEXT,
    "data" TEXT NOT NULL DEFAULT '{}',

    CONSTRAINT "Event_pkey" PRIMARY KEY ("id")
);

-- CreateIndex
CREATE INDEX "Event_operatorId_type_sequence_idx" ON "Event"("operatorId", "type", "sequence");

-- CreateIndex
CREATE INDEX "Event_at_idx" ON "Event"("at");

-- CreateIndex
CREATE UNIQUE INDEX "Event_operatorId_sequence_key" ON "Event"("operatorId", "sequence");

-- AddForeignKey
ALTER TABLE "Event" ADD CONSTRAINT "Event_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator"("id") ON DELETE CASCADE ON UPDATE CASCADE;
