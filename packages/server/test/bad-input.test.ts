// "Bad input gets a clear error and changes nothing": every refusal of this slice leaves every
// table as it was (the audit log aside, which records refusals by design, O6).
import { describe, expect, it } from "vitest";
import { addVerifiedEmail, setRole, signUp, uniqueEmail } from "./support/accounts.ts";
import { startHarness } from "./support/harness.ts";
import { snapshot } from "./support/snapshot.ts";

const h = await startHarness();
const op = await signUp(h);
const billing = await addVerifiedEmail(h, op);
const recovery = await addVerifiedEmail(h, op);
await setRole(h, op, "RECOVERY", [recovery]);
const unverified = (await h.ok(`mutation { addEmailAddress(input: { address: "${uniqueEmail("unverified")}" }) { emailAddress { id } } }`, {}, op.token)).addEmailAddress.emailAddress.id;

// As long as the input bound lets through (longer text is refused before execution, below).
const huge = "x".repeat(1000);

const refusals: [string, string, Record<string, unknown>, string | null][] = [
  ["signUp: malformed email", `mutation($i: SignUpInput!) { signUp(input: $i) { userErrors { code } } }`, { i: { email: "nope", password: "long enough pw", name: "n" } }, null],
  ["signUp: huge strings", `mutation($i: SignUpInput!) { signUp(input: $i) { userErrors { code } } }`, { i: { email: `${huge.slice(0, 900)}@example.com`, password: huge, name: huge } }, null],
  ["signUp: taken primary", `mutation($i: SignUpInput!) { signUp(input: $i) { userErrors { code } } }`, { i: { email: op.email, password: "long enough pw", name: "n" } }, null],
  ["authenticate: wrong password", `mutation($i: AuthenticateInput!) { authenticate(input: $i) { userErrors { code } } }`, { i: { email: op.email, password: "wrong one!" } }, null],
  ["authenticate: huge password", `mutation($i: AuthenticateInput!) { authenticate(input: $i) { userErrors { code } } }`, { i: { email: op.email, password: huge } }, null],
  ["addEmailAddress: malformed", `mutation { addEmailAddress(input: { address: "a@" }) { userErrors { code } } }`, {}, "op"],
  ["addEmailAddress: duplicate", `mutation($a: String!) { addEmailAddress(input: { address: $a }) { userErrors { code } } }`, { a: op.email }, "op"],
  ["verifyEmailAddress: unknown token", `mutation { verifyEmailAddress(input: { token: "sgv_nope" }) { userErrors { code } } }`, {}, null],
  ["removeEmailAddress: primary", `mutation($id: ID!) { removeEmailAddress(input: { emailAddressId: $id }) { userErrors { code } } }`, { id: op.primaryEmailId }, "op"],
  ["removeEmailAddress: recovery", `mutation($id: ID!) { removeEmailAddress(input: { emailAddressId: $id }) { userErrors { code } } }`, { id: recovery }, "op"],
  ["removeEmailAddress: garbage ID", `mutation { removeEmailAddress(input: { emailAddressId: "%%%" }) { userErrors { code } } }`, {}, "op"],
  ["setEmailRole: unverified billing", `mutation($id: ID!) { setEmailRole(input: { role: BILLING, emailAddressIds: [$id] }) { userErrors { code } } }`, { id: unverified }, "op"],
  ["setEmailRole: primary without password", `mutation($id: ID!) { setEmailRole(input: { role: PRIMARY, emailAddressIds: [$id] }) { userErrors { code } } }`, { id: billing }, "op"],
  ["setEmailRole: one good, one unknown", `mutation($id: ID!) { setEmailRole(input: { role: SUPPORT, emailAddressIds: [$id, "RW1haWxBZGRyZXNzOng="] }) { userErrors { code } } }`, { id: billing }, "op"],
  ["setEmailRole: remove recovery", `mutation { setEmailRole(input: { role: RECOVERY, emailAddressIds: [] }) { userErrors { code } } }`, {}, "op"],
  ["registerPaymentMethod: bad digits", `mutation { registerPaymentMethod(input: { type: CREDIT_CARD, cardLast4: "12345" }) { userErrors { code } } }`, {}, "op"],
  ["updateInvoiceSettings: card payer", `mutation { updateInvoiceSettings(input: { companyName: "c", deliveryMethod: EMAIL, invoiceEmail: "a@b.example" }) { userErrors { code } } }`, {}, "op"],
  ["deleteAuthKey: unknown", `mutation { deleteAuthKey(input: { authKeyId: "keyId-nope" }) { userErrors { code } } }`, {}, "op"],
  ["requestAccountRecovery: malformed", `mutation { requestAccountRecovery(input: { primaryEmail: "nope" }) { userErrors { code } } }`, {}, null],
];

describe("bad input changes nothing", () => {
  it.each(refusals)("%s: refused with a user error, no database change", async (_name, doc, vars, auth) => {
    const before = await snapshot(h.app.db);
    const res = await h.gql(doc, vars, auth === "op" ? op.token : null);
    expect(res.errors).toBeUndefined();
    const payload = Object.values(res.data ?? {})[0] as { userErrors: { code: string }[] };
    expect(payload.userErrors.length).toBeGreaterThan(0);
    expect(await snapshot(h.app.db)).toBe(before);
  });

  it.each([
    ["wrong type", `mutation { signUp(input: { email: 5, password: "x", name: "y" }) { userErrors { code } } }`],
    ["missing field", `mutation { signUp(input: { email: "a@b.example" }) { userErrors { code } } }`],
    ["unknown enum", `mutation { setEmailRole(input: { role: OWNER, emailAddressIds: [] }) { userErrors { code } } }`],
    ["non-ISO instant", `{ viewer { auditLog(first: 1, filter: { since: "yesterday" }) { totalCount } } }`],
    ["syntax error", `mutation { signUp(`],
  ])("%s: a GraphQL validation error, never a 500, no change", async (_name, doc) => {
    const before = await snapshot(h.app.db);
    const response = await h.raw({ body: { query: doc }, headers: { authorization: `Bearer ${op.token}` } });
    expect(response.status).toBeLessThan(500);
    const body = (await response.json()) as { errors?: { message: string }[] };
    expect(body.errors?.length).toBeGreaterThan(0);
    expect(JSON.stringify(body)).not.toMatch(/at .*\.ts:\d+/); // no stack traces
    expect(await snapshot(h.app.db)).toBe(before);
  });

  it.each([
    ["signUp", `mutation($i: SignUpInput!) { signUp(input: $i) { userErrors { code } } }`, { i: { email: uniqueEmail("long"), password: "x".repeat(100_000), name: "n" } }, /Mutation\.signUp\(input:\)\.password is at most 1,000 characters/],
    ["authenticate", `mutation($i: AuthenticateInput!) { authenticate(input: $i) { userErrors { code } } }`, { i: { email: op.email, password: "x".repeat(100_000) } }, /Mutation\.authenticate\(input:\)\.password/],
    ["deleteAuthKey", `mutation($i: DeleteAuthKeyInput!) { deleteAuthKey(input: $i) { userErrors { code } } }`, { i: { authKeyId: "k".repeat(400_000) } }, /Mutation\.deleteAuthKey\(input:\)\.authKeyId/],
  ])("%s: text past its input bound is refused before execution (INPUT_LIMIT_EXCEEDED), no change, no audit entry", async (_name, doc, vars, message) => {
    const started = new Date();
    const before = await snapshot(h.app.db);
    const response = await h.raw({ body: { query: doc, variables: vars }, headers: { authorization: `Bearer ${op.token}` } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["INPUT_LIMIT_EXCEEDED"]);
    expect(body.errors?.[0]?.message).toMatch(message);
    expect(JSON.stringify(body)).not.toContain("xxxxxxxxxx");
    expect(await snapshot(h.app.db)).toBe(before);
    expect(await h.app.db.auditLogEntry.count({ where: { at: { gte: started } } })).toBe(0);
  });

  // Found by bad-input-sweep.test.ts: PostgreSQL cannot store NUL, so these reached the database
  // and came back as INTERNAL_SERVER_ERROR; unpaired surrogates were stored as U+FFFD.
  it.each([
    ["NUL in a variable", `mutation($i: SignUpInput!) { signUp(input: $i) { userErrors { code } } }`, { i: { email: uniqueEmail("nul"), password: "long enough pw", name: "a\u0000b" } }],
    ["NUL in a nested list variable", `mutation($ids: [ID!]!) { terminateSims(input: { simIds: $ids }) { userErrors { code } } }`, { ids: ["U2lt\u0000"] }],
    ["NUL in a literal", `mutation { addEmailAddress(input: { address: "a\\u0000@b.example" }) { userErrors { code } } }`, {}],
    ["NUL in a query", `query($imsi: String!) { sim(imsi: $imsi) { id } }`, { imsi: "4401\u0000" }],
    ["lone surrogate", `mutation($i: SignUpInput!) { signUp(input: $i) { userErrors { code } } }`, { i: { email: uniqueEmail("sur"), password: "long enough pw", name: "x\uD800" } }],
  ])("%s: refused with BAD_USER_INPUT before execution, never a 500, no change", async (_name, doc, vars) => {
    const before = await snapshot(h.app.db);
    const response = await h.raw({ body: { query: doc, variables: vars }, headers: { authorization: `Bearer ${op.token}` } });
    expect(response.status).toBe(400);
    const body = (await response.json()) as { errors?: { message: string; extensions?: { code?: string } }[] };
    expect(body.errors?.map((e) => e.extensions?.code)).toEqual(["BAD_USER_INPUT"]);
    expect(body.errors?.[0]?.message).toMatch(/valid Unicode without NUL/);
    expect(await snapshot(h.app.db)).toBe(before);
  });
});
