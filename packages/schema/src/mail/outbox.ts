// Mail is written to the outbox in the transaction of the change that causes it; the server's
// deliverer sends it afterwards. Nothing is sent for a change that rolled back.
import type { Tx } from "../db/database.ts";
import type { NotificationKind } from "../domain/notification-routing.ts";

export interface Mail {
  kind: NotificationKind;
  to: string[];
  cc?: string[];
  subject: string;
  body: string;
  /** The one-time token the mail carries, if any. */
  token?: string;
}

export async function enqueueMail(tx: Tx, operatorId: string | null, mail: Mail, at: Date): Promise<void> {
  await tx.outboxMessage.create({
    data: {
      operatorId,
      kind: mail.kind,
      to: JSON.stringify(mail.to.map((a) => a.toLowerCase())),
      cc: JSON.stringify((mail.cc ?? []).map((a) => a.toLowerCase())),
      subject: mail.subject,
      body: mail.body,
      token: mail.token ?? null,
      createdAt: at,
      nextAttemptAt: at,
    },
  });
}
