// The text of every mail the product sends. Plain text: it must read well in any client.
import type { Mail } from "./outbox.ts";

export function emailVerificationMail(address: string, token: string, expiresAt: Date): Mail {
  return {
    kind: "EMAIL_VERIFICATION",
    to: [address],
    subject: "Verify your email address for Simgate",
    body: [
      `This address (${address}) was added to a Simgate account.`,
      "",
      "To verify it, call the verifyEmailAddress mutation with this token:",
      "",
      `  ${token}`,
      "",
      `The token works once and expires at ${expiresAt.toISOString()}.`,
      "If you did not expect this mail, ignore it: the address stays unverified.",
    ].join("\n"),
    token,
  };
}

export function accountRecoveryMail(recoveryAddress: string, operatorId: string, ticketRef: string): Mail {
  return {
    kind: "ACCOUNT_RECOVERY",
    to: [recoveryAddress],
    subject: `Account recovery requested for ${operatorId}`,
    body: [
      `Someone asked to recover access to the Simgate account ${operatorId}.`,
      "You receive this because this address is the account's recovery address.",
      "",
      `Support opened case ${ticketRef} and will contact you here to confirm who you are.`,
      "If you did not ask for this, reply to let support know.",
    ].join("\n"),
  };
}

export function simTransferTokenMail(to: string, sourceOperatorId: string, imsis: string[], token: string, expiresAt: Date): Mail {
  const listed = imsis.slice(0, 20).map((imsi) => `  ${imsi}`);
  if (imsis.length > 20) listed.push(`  … and ${imsis.length - 20} more`);
  return {
    kind: "SIM_TRANSFER_TOKEN",
    to: [to],
    subject: `${imsis.length} SIM${imsis.length === 1 ? "" : "s"} offered to you by ${sourceOperatorId}`,
    body: [
      `Operator ${sourceOperatorId} wants to transfer these SIMs to your account:`,
      ...listed,
      "",
      "To accept, sign in and call acceptSimTransfer with this token (or reject it with rejectSimTransfer):",
      "",
      `  ${token}`,
      "",
      `The token works once and expires at ${expiresAt.toISOString()}. A payment method must be registered to accept.`,
      "Names, tags, expiry settings and termination protection are not carried over.",
    ].join("\n"),
    token,
  };
}

export function supportAutoReplyMail(primary: string, ticketRef: string, subject: string, event: "created" | "closed"): Mail {
  return {
    kind: "SUPPORT_AUTO_REPLY",
    to: [primary],
    subject: `[${ticketRef}] ${event === "created" ? "We received your request" : "Your request was closed"}: ${subject}`,
    body:
      event === "created"
        ? `Support received your request "${subject}" (${ticketRef}). Replies come to this address, copied to your support addresses.`
        : `Your request "${subject}" (${ticketRef}) was closed. Open a new ticket if you need more help.`,
  };
}

export function supportReplyMail(to: string[], cc: string[], ticketRef: string, subject: string, body: string): Mail {
  return {
    kind: "SUPPORT_REPLY",
    to,
    cc,
    subject: `[${ticketRef}] Re: ${subject}`,
    body: [body, "", `— Simgate support (${ticketRef}). Reply with replyToSupportTicket.`].join("\n"),
  };
}
