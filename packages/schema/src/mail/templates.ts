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
