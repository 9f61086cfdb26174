// Transfer fixtures that act as the two operators would.
import { expect } from "vitest";
import { lastMail, type TestOperator } from "./accounts.ts";
import type { Harness } from "./harness.ts";

export const TRANSFER_FIELDS = `id status sourceOperatorId destinationOperatorId destinationEmail imsis createdAt expiresAt acceptedAt canceledAt transferDate`;

export async function issue(h: Harness, source: TestOperator, dest: TestOperator, simIds: string[], email = dest.email) {
  const data = await h.ok(
    `mutation($i: IssueSimTransferInput!) { issueSimTransfer(input: $i) { transfer { ${TRANSFER_FIELDS} } userErrors { code field } } }`,
    { i: { simIds, destinationOperatorId: dest.operatorId, destinationEmail: email } },
    source.token,
  );
  return data.issueSimTransfer as { transfer: Record<string, any> | null; userErrors: { code: string; field: string[] }[] };
}

/** Issues and returns the transfer's ID and the token mailed to the destination. */
export async function issued(h: Harness, source: TestOperator, dest: TestOperator, simIds: string[]) {
  const r = await issue(h, source, dest, simIds);
  expect(r.userErrors).toEqual([]);
  const mail = await lastMail(h, dest.email, "SIM_TRANSFER_TOKEN");
  return { id: r.transfer!.id as string, token: mail!.token! };
}

export async function decide(h: Harness, who: TestOperator, mutation: "acceptSimTransfer" | "rejectSimTransfer", input: { token?: string; transferId?: string }) {
  const data = await h.ok(
    `mutation($i: SimTransferDecisionInput!) { ${mutation}(input: $i) { transfer { id status acceptedAt transferDate } userErrors { code field } } }`,
    { i: input },
    who.token,
  );
  return data[mutation] as { transfer: { id: string; status: string; acceptedAt: string | null; transferDate: string | null } | null; userErrors: { code: string; field: string[] }[] };
}

export async function cancel(h: Harness, who: TestOperator, transferId: string) {
  const data = await h.ok(
    `mutation($id: ID!) { cancelSimTransfer(input: { transferId: $id }) { transfer { status canceledAt } userErrors { code field } } }`,
    { id: transferId },
    who.token,
  );
  return data.cancelSimTransfer as { transfer: { status: string } | null; userErrors: { code: string }[] };
}

export async function payByCard(h: Harness, op: TestOperator) {
  await h.ok(`mutation { registerPaymentMethod(input: { type: CREDIT_CARD, cardLast4: "4242" }) { userErrors { code } } }`, {}, op.token);
}
