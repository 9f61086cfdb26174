// Section E through the GraphQL endpoint.
import { describe, expect, it } from "vitest";
import { addVerifiedEmail, lastMail, setRole, signUp, uniqueEmail, verifyFromMail, type TestOperator } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";

const h = await startHarness();

const ADD = `mutation($i: AddEmailAddressInput!) { addEmailAddress(input: $i) { emailAddress { id address verified roles } userErrors { code field } } }`;
const VERIFY = `mutation($i: VerifyEmailAddressInput!) { verifyEmailAddress(input: $i) { emailAddress { id verified verifiedAt } userErrors { code } } }`;
const REMOVE = `mutation($i: RemoveEmailAddressInput!) { removeEmailAddress(input: $i) { removedEmailAddressId userErrors { code field } } }`;
const ADDRESSES = `query($role: EmailRole) { viewer { primaryEmail { address } recoveryEmail { address } emailAddresses(role: $role) { id address verified roles } } }`;

const codes = (r: { userErrors: { code: string }[] }) => r.userErrors.map((e) => e.code);

async function addresses(op: TestOperator, role?: string) {
  return (await h.ok(ADDRESSES, { role }, op.token)).viewer;
}

describe("E1/E2 primary address", () => {
  it("E1: every operator has exactly one primary address, set at sign-up", async () => {
    const op = await signUp(h);
    const view = await addresses(op, "PRIMARY");
    expect(view.primaryEmail.address).toBe(op.email);
    expect(view.emailAddresses.map((a: { address: string }) => a.address)).toEqual([op.email]);
  });

  it("E2: the primary address cannot be removed", async () => {
    const op = await signUp(h);
    const r = (await h.ok(REMOVE, { i: { emailAddressId: op.primaryEmailId } }, op.token)).removeEmailAddress;
    expect(r).toEqual({ removedEmailAddressId: null, userErrors: [{ code: "PRIMARY_EMAIL_NOT_REMOVABLE", field: ["input", "emailAddressId"] }] });
  });
});

describe("E5 add, verify, then assign", () => {
  it("E5: an added address is unverified, gets a token by mail, and is verified by that token once", async () => {
    const op = await signUp(h);
    const address = uniqueEmail("added");
    const added = (await h.ok(ADD, { i: { address } }, op.token)).addEmailAddress;
    expect(added).toEqual({ emailAddress: { id: expect.any(String), address, verified: false, roles: [] }, userErrors: [] });
    const mail = await lastMail(h, address, "EMAIL_VERIFICATION");
    expect(mail?.to).toEqual([address]);
    const verified = (await h.ok(VERIFY, { i: { token: mail!.token } })).verifyEmailAddress;
    expect(verified.emailAddress).toEqual({ id: added.emailAddress.id, verified: true, verifiedAt: expect.any(String) });
    const again = (await h.ok(VERIFY, { i: { token: mail!.token } })).verifyEmailAddress;
    expect(again).toEqual({ emailAddress: null, userErrors: [{ code: "VERIFICATION_TOKEN_INVALID" }] });
  });

  it("E5: verification tokens expire (SIMGATE_VERIFICATION_TTL_HOURS, default 24)", async () => {
    const op = await signUp(h);
    const address = uniqueEmail("late");
    await h.ok(ADD, { i: { address } }, op.token);
    const mail = await lastMail(h, address, "EMAIL_VERIFICATION");
    h.clock.advance(24 * 3_600_000 + 1000);
    try {
      const late = (await h.ok(VERIFY, { i: { token: mail!.token } })).verifyEmailAddress;
      expect(codes(late)).toEqual(["VERIFICATION_TOKEN_INVALID"]);
    } finally {
      h.clock.reset();
    }
    expect((await addresses(op)).emailAddresses.find((a: { address: string }) => a.address === address).verified).toBe(false);
  });

  it("E5: unknown and malformed tokens are VERIFICATION_TOKEN_INVALID", async () => {
    for (const token of ["", "sgv_nope", "x".repeat(1000)]) {
      expect(codes((await h.ok(VERIFY, { i: { token } })).verifyEmailAddress)).toEqual(["VERIFICATION_TOKEN_INVALID"]);
    }
  });

  it("E5: only verified addresses take roles", async () => {
    const op = await signUp(h);
    const added = (await h.ok(ADD, { i: { address: uniqueEmail("unverified") } }, op.token)).addEmailAddress.emailAddress;
    for (const role of ["RECOVERY", "BILLING", "SUPPORT"]) {
      expect(codes(await setRole(h, op, role, [added.id]))).toEqual(["EMAIL_NOT_VERIFIED"]);
    }
    expect(codes(await setRole(h, op, "PRIMARY", [added.id], op.password))).toEqual(["EMAIL_NOT_VERIFIED"]);
  });

  it("E5: changing the primary needs the password; the old primary stays as an added address", async () => {
    const op = await signUp(h);
    const next = uniqueEmail("newprimary");
    const id = await addVerifiedEmail(h, op, next);
    expect(codes(await setRole(h, op, "PRIMARY", [id]))).toEqual(["CREDENTIALS_INVALID"]);
    expect(codes(await setRole(h, op, "PRIMARY", [id], "wrong password"))).toEqual(["CREDENTIALS_INVALID"]);
    expect(codes(await setRole(h, op, "PRIMARY", [id], op.password))).toEqual([]);
    const view = await addresses(op);
    expect(view.primaryEmail.address).toBe(next);
    expect(view.emailAddresses.find((a: { address: string }) => a.address === op.email).roles).toEqual([]);
    // O1: the root user's login is the primary address.
    const login = await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { userErrors { code } } }`, { i: { email: next, password: op.password } });
    expect(login.authenticate.userErrors).toEqual([]);
    const oldLogin = await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { userErrors { code } } }`, { i: { email: op.email, password: op.password } });
    expect(codes(oldLogin.authenticate)).toEqual(["CREDENTIALS_INVALID"]);
  });

  it("E5: adding an address twice is EMAIL_ALREADY_ADDED; malformed is EMAIL_INVALID", async () => {
    const op = await signUp(h);
    expect(codes((await h.ok(ADD, { i: { address: op.email.toUpperCase() } }, op.token)).addEmailAddress)).toEqual(["EMAIL_ALREADY_ADDED"]);
    for (const address of ["nope", "a@b", `${"y".repeat(300)}@example.com`, ""]) {
      expect((await h.ok(ADD, { i: { address } }, op.token)).addEmailAddress.userErrors).toEqual([{ code: "EMAIL_INVALID", field: ["input", "address"] }]);
    }
  });
});

describe("E3/E4 role conflicts", () => {
  it("E3: the primary cannot be recovery, billing or support", async () => {
    const op = await signUp(h);
    await verifyFromMail(h, op.email);
    for (const role of ["RECOVERY", "BILLING", "SUPPORT"]) {
      expect(codes(await setRole(h, op, role, [op.primaryEmailId]))).toEqual(["EMAIL_IS_PRIMARY"]);
    }
  });

  it("E3: an address holding another role cannot become primary until the role is moved", async () => {
    const op = await signUp(h);
    const id = await addVerifiedEmail(h, op);
    expect(codes(await setRole(h, op, "BILLING", [id]))).toEqual([]);
    expect(codes(await setRole(h, op, "PRIMARY", [id], op.password))).toEqual(["EMAIL_HAS_OTHER_ROLE"]);
    expect(codes(await setRole(h, op, "BILLING", []))).toEqual([]);
    expect(codes(await setRole(h, op, "PRIMARY", [id], op.password))).toEqual([]);
  });

  it("E4: another operator's primary can be this operator's billing address but not its primary", async () => {
    const a = await signUp(h);
    const b = await signUp(h);
    const id = await addVerifiedEmail(h, b, a.email);
    expect(codes(await setRole(h, b, "BILLING", [id]))).toEqual([]);
    expect(codes(await setRole(h, b, "BILLING", []))).toEqual([]);
    expect(codes(await setRole(h, b, "PRIMARY", [id], b.password))).toEqual(["EMAIL_PRIMARY_OF_OTHER_OPERATOR"]);
  });
});

describe("E6 recovery", () => {
  it("E6: one recovery address, replaceable but not removable", async () => {
    const op = await signUp(h);
    const first = await addVerifiedEmail(h, op);
    const second = await addVerifiedEmail(h, op);
    expect(codes(await setRole(h, op, "RECOVERY", [first, second]))).toEqual(["TOO_MANY_ITEMS"]);
    expect(codes(await setRole(h, op, "RECOVERY", [first]))).toEqual([]);
    expect(codes(await setRole(h, op, "RECOVERY", [second]))).toEqual([]);
    const view = await addresses(op, "RECOVERY");
    expect(view.emailAddresses.map((a: { id: string }) => a.id)).toEqual([second]);
    expect(codes(await setRole(h, op, "RECOVERY", []))).toEqual(["RECOVERY_EMAIL_NOT_REMOVABLE"]);
    const removal = (await h.ok(REMOVE, { i: { emailAddressId: second } }, op.token)).removeEmailAddress;
    expect(codes(removal)).toEqual(["RECOVERY_EMAIL_NOT_REMOVABLE"]);
    // The replaced one is an ordinary added address again and can go.
    expect(codes((await h.ok(REMOVE, { i: { emailAddressId: first } }, op.token)).removeEmailAddress)).toEqual([]);
  });

  it("E6: a recovery request opens a support case and mails the recovery address (once the scheduler runs)", async () => {
    const op = await signUp(h);
    const recovery = uniqueEmail("recovery");
    await setRole(h, op, "RECOVERY", [await addVerifiedEmail(h, op, recovery)]);
    const r = await h.ok(`mutation($i: RequestAccountRecoveryInput!) { requestAccountRecovery(input: $i) { accepted userErrors { code } } }`, {
      i: { operatorId: op.operatorId },
    });
    expect(r.requestAccountRecovery).toEqual({ accepted: true, userErrors: [] });
    // The scheduler does the work, after the answer.
    await h.app.scheduler.runOnce();
    const mail = await lastMail(h, recovery, "ACCOUNT_RECOVERY");
    expect(mail?.to).toEqual([recovery]);
    expect(mail?.body).toContain(op.operatorId);
    const tickets = await h.ok(`{ viewer { supportTickets(first: 5) { totalCount edges { node { category scope status subject } } } } }`, {}, op.token);
    expect(tickets.viewer.supportTickets.totalCount).toBe(1);
    expect(tickets.viewer.supportTickets.edges[0].node).toMatchObject({ category: "ACCOUNT_RECOVERY", status: "OPEN" });
  });

  it("E6: the answer is the same whether or not the operator exists", async () => {
    const op = await signUp(h);
    const ask = (i: Record<string, string>) =>
      h.gql(`mutation($i: RequestAccountRecoveryInput!) { requestAccountRecovery(input: $i) { accepted userErrors { code } } }`, { i });
    const real = await ask({ primaryEmail: op.email });
    const fake = await ask({ primaryEmail: uniqueEmail("ghost") });
    const fakeId = await ask({ operatorId: "OP0000000000" });
    expect(real).toEqual(fake);
    expect(real).toEqual(fakeId);
    expect([real.data, real.errors]).toEqual([{ requestAccountRecovery: { accepted: true, userErrors: [] } }, undefined]);
  });

  it("E6: malformed requests are refused the same way for everyone", async () => {
    const r = await h.ok(`mutation { requestAccountRecovery(input: {}) { accepted userErrors { code } } }`);
    expect(r.requestAccountRecovery).toEqual({ accepted: false, userErrors: [{ code: "INVALID_INPUT" }] });
    const bad = await h.ok(`mutation { requestAccountRecovery(input: { operatorId: "OP12" }) { userErrors { code field } } }`);
    expect(bad.requestAccountRecovery.userErrors).toEqual([{ code: "INVALID_INPUT", field: ["input", "operatorId"] }]);
  });
});

describe("E7/E8 billing and support addresses", () => {
  it("E7: up to 5 billing addresses; a 6th is refused; billing mail reaches 6 recipients", async () => {
    const op = await signUp(h);
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await addVerifiedEmail(h, op));
    expect(codes(await setRole(h, op, "BILLING", ids))).toEqual(["BILLING_EMAIL_LIMIT_EXCEEDED"]);
    expect(codes(await setRole(h, op, "BILLING", ids.slice(0, 5)))).toEqual([]);
    await h.ok(`mutation { registerPaymentMethod(input: { type: CREDIT_CARD, cardLast4: "4242" }) { userErrors { code } } }`, {}, op.token);
    const r = await h.ok(`{ viewer { notificationRecipients(kind: BILLING_NOTICE) { to cc applicable } } }`, {}, op.token);
    expect(r.viewer.notificationRecipients.to).toHaveLength(6);
    expect(r.viewer.notificationRecipients.to[0]).toBe(op.email);
  });

  it("E8: up to 5 support addresses, copied on support replies", async () => {
    const op = await signUp(h);
    const ids = [];
    for (let i = 0; i < 6; i++) ids.push(await addVerifiedEmail(h, op));
    expect(codes(await setRole(h, op, "SUPPORT", ids))).toEqual(["SUPPORT_EMAIL_LIMIT_EXCEEDED"]);
    expect(codes(await setRole(h, op, "SUPPORT", ids.slice(0, 2)))).toEqual([]);
    const r = await h.ok(`{ viewer { notificationRecipients(kind: SUPPORT_REPLY) { to cc applicable } } }`, {}, op.token);
    expect(r.viewer.notificationRecipients).toEqual({ to: [op.email], cc: expect.any(Array), applicable: true });
    expect(r.viewer.notificationRecipients.cc).toHaveLength(2);
    const auto = await h.ok(`{ viewer { notificationRecipients(kind: SUPPORT_AUTO_REPLY) { to cc } } }`, {}, op.token);
    expect(auto.viewer.notificationRecipients).toEqual({ to: [op.email], cc: [] });
  });

  it("E8: a support address cannot log in", async () => {
    const op = await signUp(h);
    const support = uniqueEmail("support");
    await setRole(h, op, "SUPPORT", [await addVerifiedEmail(h, op, support)]);
    const r = await h.ok(`mutation($i: AuthenticateInput!) { authenticate(input: $i) { token userErrors { code } } }`, { i: { email: support, password: op.password } });
    expect(r.authenticate).toEqual({ token: null, userErrors: [{ code: "CREDENTIALS_INVALID" }] });
  });

  it("removing an address drops its roles with it", async () => {
    const op = await signUp(h);
    const id = await addVerifiedEmail(h, op);
    await setRole(h, op, "BILLING", [id]);
    const r = (await h.ok(REMOVE, { i: { emailAddressId: id } }, op.token)).removeEmailAddress;
    expect(r).toEqual({ removedEmailAddressId: id, userErrors: [] });
    expect((await addresses(op, "BILLING")).emailAddresses).toEqual([]);
  });
});

describe("E9 invoices and the address limit", () => {
  const INVOICE = `mutation($i: UpdateInvoiceSettingsInput!) { updateInvoiceSettings(input: $i) {
    operator { invoiceSettings { companyName deliveryMethod invoiceEmail } } userErrors { code field } } }`;
  const settings = { companyName: "Acme KK", deliveryMethod: "EMAIL", invoiceEmail: "ap@acme.example" };

  it("E9: only invoice payers set invoice settings", async () => {
    const op = await signUp(h);
    expect(codes((await h.ok(INVOICE, { i: settings }, op.token)).updateInvoiceSettings)).toEqual(["INVOICE_PAYMENT_REQUIRED"]);
    await h.ok(`mutation { registerPaymentMethod(input: { type: CREDIT_CARD, cardLast4: "4242" }) { userErrors { code } } }`, {}, op.token);
    expect(codes((await h.ok(INVOICE, { i: settings }, op.token)).updateInvoiceSettings)).toEqual(["INVOICE_PAYMENT_REQUIRED"]);
  });

  it("E9: the invoice address is independent of billing addresses and receives INVOICE mail only with EMAIL delivery", async () => {
    const op = await signUp(h);
    await h.ok(`mutation { registerPaymentMethod(input: { type: INVOICE }) { userErrors { code } } }`, {}, op.token);
    const set = (await h.ok(INVOICE, { i: settings }, op.token)).updateInvoiceSettings;
    expect(set).toEqual({ operator: { invoiceSettings: settings }, userErrors: [] });
    const billing = await addVerifiedEmail(h, op);
    await setRole(h, op, "BILLING", [billing]);
    const route = async () => (await h.ok(`{ viewer { notificationRecipients(kind: INVOICE) { to applicable } } }`, {}, op.token)).viewer.notificationRecipients;
    expect(await route()).toEqual({ to: ["ap@acme.example"], applicable: true });
    await setRole(h, op, "BILLING", []);
    expect(await route()).toEqual({ to: ["ap@acme.example"], applicable: true });
    await h.ok(INVOICE, { i: { ...settings, deliveryMethod: "POST" } }, op.token);
    expect(await route()).toEqual({ to: [], applicable: false });
  });

  it("E9: invoice settings are validated", async () => {
    const op = await signUp(h);
    await h.ok(`mutation { registerPaymentMethod(input: { type: INVOICE }) { userErrors { code } } }`, {}, op.token);
    const r = (await h.ok(INVOICE, { i: { ...settings, companyName: "", invoiceEmail: "nope" } }, op.token)).updateInvoiceSettings;
    expect(r.userErrors).toEqual([
      { code: "INVALID_INPUT", field: ["input", "companyName"] },
      { code: "EMAIL_INVALID", field: ["input", "invoiceEmail"] },
    ]);
  });

  it("E9 (decision): at most 20 added addresses besides the primary", async () => {
    const op = await signUp(h);
    for (let i = 0; i < 20; i++) {
      expect((await h.ok(ADD, { i: { address: uniqueEmail("many") } }, op.token)).addEmailAddress.userErrors).toEqual([]);
    }
    expect(codes((await h.ok(ADD, { i: { address: uniqueEmail("toomany") } }, op.token)).addEmailAddress)).toEqual(["EMAIL_LIMIT_EXCEEDED"]);
  });

  it("registerPaymentMethod checks the card digits", async () => {
    const op = await signUp(h);
    for (const input of [`{ type: CREDIT_CARD }`, `{ type: CREDIT_CARD, cardLast4: "42a2" }`, `{ type: INVOICE, cardLast4: "4242" }`]) {
      const r = await h.ok(`mutation { registerPaymentMethod(input: ${input}) { operator { id } userErrors { code field } } }`, {}, op.token);
      expect(r.registerPaymentMethod).toEqual({ operator: null, userErrors: [{ code: "INVALID_INPUT", field: ["input", "cardLast4"] }] });
    }
    const ok = await h.ok(`mutation { registerPaymentMethod(input: { type: CREDIT_CARD, cardLast4: "4242" }) { operator { paymentMethod { type cardLast4 } } userErrors { code } } }`, {}, op.token);
    expect(ok.registerPaymentMethod).toEqual({ operator: { paymentMethod: { type: "CREDIT_CARD", cardLast4: "4242" } }, userErrors: [] });
  });
});

describe("E10 routing for a real operator", () => {
  it("E10: a new operator's routes", async () => {
    const op = await signUp(h);
    const all = await h.ok(
      `{ viewer {
          notice: notificationRecipients(kind: SERVICE_NOTICE) { to cc applicable }
          verification: notificationRecipients(kind: EMAIL_VERIFICATION) { to applicable }
          recovery: notificationRecipients(kind: ACCOUNT_RECOVERY) { to applicable }
          invoice: notificationRecipients(kind: INVOICE) { to applicable }
          billing: notificationRecipients(kind: BILLING_NOTICE) { to applicable }
          transfer: notificationRecipients(kind: SIM_TRANSFER_TOKEN) { to applicable } } }`,
      {},
      op.token,
    );
    expect(all.viewer).toEqual({
      notice: { to: [op.email], cc: [], applicable: true },
      verification: { to: [op.email], applicable: true },
      recovery: { to: [], applicable: false },
      invoice: { to: [], applicable: false },
      billing: { to: [], applicable: false },
      transfer: { to: [op.email], applicable: true },
    });
  });
});
