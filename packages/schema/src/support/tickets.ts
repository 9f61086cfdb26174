// Opening a support ticket, shared by every path that does (support, T9 applications, E6).
import type { Tx } from "../db/database.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { supportAutoReplyMail } from "../mail/templates.ts";
import { globalIdOf } from "../ids/global-id.ts";

export interface NewTicket {
  operatorId: string;
  subject: string;
  category: string;
  scope: string;
  body: string;
  /** E8: the auto-reply goes to the primary (not for account recovery, whose primary may be lost). */
  autoReply: boolean;
}

export async function openTicket(tx: Tx, ticket: NewTicket, at: Date): Promise<{ id: string; globalId: string }> {
  const row = await tx.supportTicket.create({
    data: {
      operatorId: ticket.operatorId,
      subject: ticket.subject,
      category: ticket.category,
      scope: ticket.scope,
      createdAt: at,
      messages: { create: { author: "CUSTOMER", body: ticket.body, createdAt: at } },
    },
  });
  const globalId = globalIdOf("SupportTicket", row.id);
  if (ticket.autoReply) {
    const primary = await tx.emailAddress.findFirstOrThrow({ where: { operatorId: ticket.operatorId, primaryOf: { not: null } }, select: { address: true } });
    await enqueueMail(tx, ticket.operatorId, supportAutoReplyMail(primary.address, globalId, ticket.subject, "created"), at);
  }
  return { id: row.id, globalId };
}
