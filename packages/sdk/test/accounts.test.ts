// auth.* and emails.* against a real server, and the typed errors of authentication (O2, O3, E1–E10).
import { beforeAll, describe, expect, it } from "vitest";
import { EmailAddressesDocument } from "../src/generated/graphql.ts";
import { SimgateAuthenticationError, SimgateForbiddenError, SimgateRequestError } from "../src/index.ts";
import { lastMail, ok, signUp, uniqueEmail, type TestOperator } from "./support/fixtures.ts";
import { startServer, type TestServer } from "./support/server.ts";

let server: TestServer;
let op: TestOperator;

beforeAll(async () => {
  server = await startServer();
  op = await signUp(server);
});

describe("auth", () => {
  it("O2: signUp returns a session; a taken primary address is a typed refusal", async () => {
    const email = uniqueEmail();
    const first = await server.client().auth.signUp({ email, password: "long enough password", name: "Acme" });
    expect(first.ok).toBe(true);
    if (first.ok) {
      expect(first.data.token).toBeTruthy();
      expect(first.data.operator.primaryEmail.address).toBe(email);
      expect(first.data.operator.operatorId).toMatch(/^OP\d{10}$/);
    }
    const again = await server.client().auth.signUp({ email, password: "long enough password", name: "Acme" });
    expect(again.ok).toBe(false);
    if (!again.ok) expect(again.userErrors[0]?.code).toBe("EMAIL_PRIMARY_OF_OTHER_OPERATOR");
  });

  it("O3: authenticate with a password; wrong credentials are CREDENTIALS_INVALID", async () => {
    const session = ok(await server.client().auth.authenticate({ email: op.email, password: op.password, tokenTimeoutSeconds: 600 }));
    expect(Date.parse(session.expiresAt!)).toBeGreaterThan(Date.now() + 500_000);
    expect(session.operator.operatorId).toBe(op.operatorId);
    const wrong = await server.client().auth.authenticate({ email: op.email, password: "not the password" });
    expect(wrong).toMatchObject({ ok: false, userErrors: [{ code: "CREDENTIALS_INVALID" }] });
  });

  it("viewer answers the signed-in operator with its settings", async () => {
    const viewer = await op.client.auth.viewer();
    expect(viewer).toMatchObject({ id: op.id, operatorId: op.operatorId, supportPlan: "BASIC", paymentMethod: null, authKeys: [] });
    expect(viewer.primaryEmail).toMatchObject({ address: op.email, roles: ["PRIMARY"] });
  });

  it("createAuthKey and deleteAuthKey; an auth-key client works until its key is deleted", async () => {
    const key = ok(await op.client.auth.createAuthKey());
    expect(key.authKeyId).toBeTruthy();
    expect(key.authKey).toBeTruthy();
    const machine = server.client({ authKey: { id: key.authKeyId, secret: key.authKey } });
    expect((await machine.auth.viewer()).operatorId).toBe(op.operatorId);
    expect(ok(await op.client.auth.deleteAuthKey(key.authKeyId))).toBeNull();
    await expect(machine.auth.viewer()).rejects.toBeInstanceOf(SimgateAuthenticationError);
    expect(await op.client.auth.deleteAuthKey(key.authKeyId)).toMatchObject({ ok: false, userErrors: [{ code: "NOT_FOUND" }] });
  });

  it("O3: createAuthKey from an auth-key client needs the root password: refused with CREDENTIALS_INVALID without it, created with it", async () => {
    const key = ok(await op.client.auth.createAuthKey());
    const machine = server.client({ authKey: { id: key.authKeyId, secret: key.authKey } });
    expect(await machine.auth.createAuthKey()).toMatchObject({ ok: false, userErrors: [{ code: "CREDENTIALS_INVALID", field: ["input", "password"] }] });
    const second = ok(await machine.auth.createAuthKey({ password: op.password }));
    expect(second.authKeyId).not.toBe(key.authKeyId);
    for (const id of [key.authKeyId, second.authKeyId]) ok(await op.client.auth.deleteAuthKey(id));
  });

  it("logout revokes the client's token: later calls throw SimgateAuthenticationError", async () => {
    const session = ok(await server.client().auth.authenticate({ email: op.email, password: op.password }));
    const client = server.client({ token: session.token });
    expect(ok(await client.auth.logout())).toBeNull();
    const error = await client.auth.viewer().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateAuthenticationError);
    expect((error as SimgateAuthenticationError).code).toBe("UNAUTHENTICATED");
  });
});

describe("the urql escape hatch", () => {
  it("client.urql runs any typed document with the client's auth and retries", async () => {
    const result = await op.client.urql.query(EmailAddressesDocument, { role: "PRIMARY" }).toPromise();
    expect(result.data?.viewer?.emailAddresses.map((e) => e.address)).toEqual([op.email]);
  });
});

describe("typed errors", () => {
  it("UNAUTHENTICATED from an operator field carries the request ID", async () => {
    const error = await server.client({ token: "not-a-token" }).sims.get("440100000000000").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateAuthenticationError);
    expect((error as SimgateAuthenticationError).requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("FORBIDDEN: admin calls without the admin secret", async () => {
    const error = await op.client.admin.outbox().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateForbiddenError);
    expect((error as SimgateForbiddenError).code).toBe("FORBIDDEN");
  });

  it("input the schema rejects is a SimgateRequestError, not a refusal", async () => {
    // A string where the schema wants an enum: GraphQL validation, before any resolver.
    const error = await op.client.support.changePlan("PLATINUM" as "BASIC").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SimgateRequestError);
    expect((error as SimgateRequestError).status).toBe(400);
  });
});

describe("emails", () => {
  it("E5: add, verify with the mailed token, list, setRole, remove", async () => {
    const address = uniqueEmail("billing");
    const added = ok(await op.client.emails.add(address));
    expect(added).toMatchObject({ address, verified: false, roles: [] });
    expect(await op.client.emails.add(address)).toMatchObject({ ok: false, userErrors: [{ code: "EMAIL_ALREADY_ADDED" }] });

    const mail = await lastMail(server, address, "EMAIL_VERIFICATION");
    // verify is public: the mailed token is the credential.
    const verified = ok(await server.client().emails.verify(mail.token!));
    expect(verified).toMatchObject({ id: added.id, verified: true });

    const operator = ok(await op.client.emails.setRole({ role: "BILLING", emailAddressIds: [added.id] }));
    expect(operator.id).toBe(op.id);
    expect((await op.client.emails.list("BILLING")).map((e) => e.address)).toEqual([address]);
    expect((await op.client.emails.list()).length).toBe(2);

    const recipients = await op.client.emails.recipients("SERVICE_NOTICE");
    expect(recipients).toEqual({ kind: "SERVICE_NOTICE", applicable: true, to: [op.email], cc: [] });

    expect(ok(await op.client.emails.remove(added.id))).toBe(added.id);
    const primary = (await op.client.auth.viewer()).primaryEmail;
    expect(await op.client.emails.remove(primary.id)).toMatchObject({ ok: false, userErrors: [{ code: "PRIMARY_EMAIL_NOT_REMOVABLE" }] });
  });

  it("E9: invoice settings need an invoice payer; registerPaymentMethod switches", async () => {
    const settings = { companyName: "Acme KK", deliveryMethod: "EMAIL" as const, invoiceEmail: uniqueEmail("invoice") };
    expect(await op.client.emails.updateInvoiceSettings(settings)).toMatchObject({ ok: false, userErrors: [{ code: "INVOICE_PAYMENT_REQUIRED" }] });
    const paying = ok(await op.client.emails.registerPaymentMethod({ type: "INVOICE" }));
    expect(paying.paymentMethod?.type).toBe("INVOICE");
    const updated = ok(await op.client.emails.updateInvoiceSettings(settings));
    expect(updated.invoiceSettings).toEqual(settings);
  });

  it("E6: requestAccountRecovery is public and always accepted", async () => {
    const anonymous = server.client();
    expect(ok(await anonymous.emails.requestAccountRecovery({ operatorId: op.operatorId }))).toEqual({ accepted: true });
    expect(ok(await anonymous.emails.requestAccountRecovery({ operatorId: "OP9999999999" }))).toEqual({ accepted: true });
  });
});
