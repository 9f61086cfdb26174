// Test helpers that act like a client: sign up, read mail from the outbox, verify addresses.
import { expect } from "vitest";
import { ADMIN_SECRET, type Harness } from "./harness.ts";

export interface TestOperator {
  id: string;
  operatorId: string;
  email: string;
  password: string;
  token: string;
  primaryEmailId: string;
}

let counter = 0;

export function uniqueEmail(label = "user"): string {
  counter += 1;
  return `${label}-${process.pid}-${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`;
}

export async function signUp(h: Harness, email = uniqueEmail(), password = "correct horse battery"): Promise<TestOperator> {
  const data = await h.ok(
    `mutation($input: SignUpInput!) { signUp(input: $input) {
        token operator { id operatorId primaryEmail { id } } userErrors { code message field } } }`,
    { input: { email, password, name: "Test Operator" } },
  );
  expect(data.signUp.userErrors).toEqual([]);
  return {
    id: data.signUp.operator.id,
    operatorId: data.signUp.operator.operatorId,
    email,
    password,
    token: data.signUp.token,
    primaryEmailId: data.signUp.operator.primaryEmail.id,
  };
}

/** The newest outbox message to `to` of `kind`, as the administrator sees it. */
export async function lastMail(h: Harness, to: string, kind: string) {
  const data = await h.ok(
    `query($to: String, $kind: NotificationKind) { adminOutbox(to: $to, kind: $kind, first: 1) { id kind to cc subject body token createdAt } }`,
    { to, kind },
    ADMIN_SECRET,
  );
  return data.adminOutbox[0] as { id: string; kind: string; to: string[]; cc: string[]; subject: string; body: string; token: string | null } | undefined;
}

export async function verifyFromMail(h: Harness, address: string): Promise<void> {
  const mail = await lastMail(h, address, "EMAIL_VERIFICATION");
  expect(mail?.token).toBeTruthy();
  const data = await h.ok(
    `mutation($input: VerifyEmailAddressInput!) { verifyEmailAddress(input: $input) { emailAddress { verified } userErrors { code } } }`,
    { input: { token: mail!.token } },
  );
  expect(data.verifyEmailAddress.userErrors).toEqual([]);
}

/** Adds an address to the operator and verifies it; returns its global ID. */
export async function addVerifiedEmail(h: Harness, op: TestOperator, address = uniqueEmail("extra")): Promise<string> {
  const data = await h.ok(
    `mutation($input: AddEmailAddressInput!) { addEmailAddress(input: $input) { emailAddress { id } userErrors { code message } } }`,
    { input: { address } },
    op.token,
  );
  expect(data.addEmailAddress.userErrors).toEqual([]);
  await verifyFromMail(h, address);
  return data.addEmailAddress.emailAddress.id;
}

export async function setRole(h: Harness, op: TestOperator, role: string, ids: string[], password?: string) {
  const data = await h.ok(
    `mutation($input: SetEmailRoleInput!) { setEmailRole(input: $input) { operator { id } userErrors { code message field } } }`,
    { input: { role, emailAddressIds: ids, password } },
    op.token,
  );
  return data.setEmailRole as { operator: { id: string } | null; userErrors: { code: string; message: string; field: string[] | null }[] };
}
