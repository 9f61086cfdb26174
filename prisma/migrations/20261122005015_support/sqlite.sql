-- CreateTable
CREATE TABLE "OfficeHoursRequest" (
    "id" TEXT NOT NULL PRIMARY KEY,
    "operatorId" TEXT NOT NULL,
    "status" TEXT NOT NULL DEFAULT 'REQUESTED',
    "topic" TEXT NOT NULL,
    "notes" TEXT,
    "month" TEXT NOT NULL,
    "activeMonthKey" TEXT,
    "candidateSlots" TEXT NOT NULL,
    "scheduledStartsAt" DATETIME,
    "scheduledMinutes" INTEGER,
    "meetingTool" TEXT NOT NULL,
    "meetingUrl" TEXT,
    "supportTicketId" TEXT NOT NULL,
    "createdAt" DATETIME NOT NULL DEFAULT CURRENT_TIMESTAMP,
    "canceledAt" DATETIME,
    CONSTRAINT "OfficeHoursRequest_operatorId_fkey" FOREIGN KEY ("operatorId") REFERENCES "Operator" ("id") ON DELETE CASCADE ON UPDATE CASCADE,
    CONSTRAINT "OfficeHoursRequest_supportTicketId_fkey" FOREIGN KEY ("supportTicketId") REFERENCES "SupportTicket" ("id") ON DELETE CASCADE ON UPDATE CASCADE
);

-- CreateIndex
CREATE UNIQUE INDEX "OfficeHoursRequest_activeMonthKey_key" ON "OfficeHoursRequest"("activeMonthKey");

-- CreateIndex
CREATE UNIQUE INDEX "OfficeHoursRequest_supportTicketId_key" ON "OfficeHoursRequest"("supportTicketId");

-- CreateIndex
CREATE INDEX "OfficeHoursRequest_operatorId_createdAt_idx" ON "OfficeHoursRequest"("operatorId", "createdAt");

-- CreateIndex
CREATE INDEX "SupportTicket_operatorId_status_createdAt_idx" ON "SupportTicket"("operatorId", "status", "createdAt");
