import { describe, expect, it } from "vitest";
import { notificationKinds, recipientsFor, type RoutingFacts } from "../src/domain/notification-routing.ts";

const base: RoutingFacts = {
  primary: "primary@example.com",
  recovery: "recovery@example.com",
  billing: ["bill1@example.com", "PRIMARY@example.com", "bill2@example.com"],
  support: ["sup1@example.com", "primary@example.com", "sup1@example.com"],
  unverified: ["new@example.com"],
  paymentMethod: "CREDIT_CARD",
  invoice: null,
  hasGlobalSims: true,
  hasThresholdPlanSims: true,
};

describe("E10 notification routing", () => {
  it("E10: primary-only kinds go To the primary with no CC", () => {
    for (const kind of ["SERVICE_NOTICE", "EVENT_HANDLER", "TRAFFIC_THRESHOLD", "AUDIT_LOG_EXPORT_READY", "SUPPORT_AUTO_REPLY", "SIM_TRANSFER_TOKEN"] as const) {
      expect(recipientsFor(kind, base)).toEqual({ kind, to: ["primary@example.com"], cc: [], applicable: true });
    }
  });
  it("E8/E10: support replies go To the primary and CC every support address, deduplicated", () => {
    expect(recipientsFor("SUPPORT_REPLY", base)).toEqual({ kind: "SUPPORT_REPLY", to: ["primary@example.com"], cc: ["sup1@example.com"], applicable: true });
  });
  it("E7/E10: billing mail goes to the primary first, then the billing addresses, deduplicated", () => {
    const expected = ["primary@example.com", "bill1@example.com", "bill2@example.com"];
    expect(recipientsFor("BILLING_NOTICE", base).to).toEqual(expected);
    expect(recipientsFor("MONTHLY_BILLING_STATEMENT", base).to).toEqual(expected);
  });
  it("E7: five billing addresses make six recipients", () => {
    const billing = [1, 2, 3, 4, 5].map((i) => `b${i}@example.com`);
    expect(recipientsFor("BILLING_NOTICE", { ...base, billing }).to).toHaveLength(6);
  });
  it("E10: billing notices do not apply without a payment method", () => {
    expect(recipientsFor("BILLING_NOTICE", { ...base, paymentMethod: null })).toMatchObject({ applicable: false, to: [], cc: [] });
  });
  it("E10: monthly statements only for credit-card payers with GLOBAL SIMs", () => {
    expect(recipientsFor("MONTHLY_BILLING_STATEMENT", { ...base, paymentMethod: "INVOICE" }).applicable).toBe(false);
    expect(recipientsFor("MONTHLY_BILLING_STATEMENT", { ...base, hasGlobalSims: false }).applicable).toBe(false);
  });
  it("E10: traffic threshold mail only with planX3 / plan-D SIMs", () => {
    expect(recipientsFor("TRAFFIC_THRESHOLD", { ...base, hasThresholdPlanSims: false }).applicable).toBe(false);
  });
  it("E9/E10: invoices go only to the invoice address, only for invoice payers with EMAIL delivery", () => {
    const invoicePayer: RoutingFacts = { ...base, paymentMethod: "INVOICE", invoice: { deliveryMethod: "EMAIL", invoiceEmail: "ap@example.com" } };
    expect(recipientsFor("INVOICE", invoicePayer)).toEqual({ kind: "INVOICE", to: ["ap@example.com"], cc: [], applicable: true });
    expect(recipientsFor("INVOICE", { ...invoicePayer, invoice: { deliveryMethod: "POST", invoiceEmail: "ap@example.com" } }).applicable).toBe(false);
    expect(recipientsFor("INVOICE", base).applicable).toBe(false);
  });
  it("E10: verification mail goes to the addresses being verified; recovery mail to the recovery address", () => {
    expect(recipientsFor("EMAIL_VERIFICATION", base).to).toEqual(["new@example.com"]);
    expect(recipientsFor("EMAIL_VERIFICATION", { ...base, unverified: [] }).applicable).toBe(false);
    expect(recipientsFor("ACCOUNT_RECOVERY", base).to).toEqual(["recovery@example.com"]);
    expect(recipientsFor("ACCOUNT_RECOVERY", { ...base, recovery: null }).applicable).toBe(false);
  });
  it("E10: every kind routes as the rule's table says, written out here by hand", () => {
    // An invoice payer with EMAIL delivery, GLOBAL SIMs and a threshold plan: every kind applies.
    // (MONTHLY_BILLING_STATEMENT is for card payers: it is checked with `base` above.)
    const everyRoute: RoutingFacts = { ...base, paymentMethod: "INVOICE", invoice: { deliveryMethod: "EMAIL", invoiceEmail: "ap@example.com" } };
    const primaryOnly = { to: ["primary@example.com"], cc: [] };
    const billingList = { to: ["primary@example.com", "bill1@example.com", "bill2@example.com"], cc: [] };
    const expected: Record<(typeof notificationKinds)[number], { to: string[]; cc: string[] } | "not applicable"> = {
      SERVICE_NOTICE: primaryOnly,
      EVENT_HANDLER: primaryOnly,
      TRAFFIC_THRESHOLD: primaryOnly,
      AUDIT_LOG_EXPORT_READY: primaryOnly,
      SUPPORT_AUTO_REPLY: primaryOnly,
      SUPPORT_REPLY: { to: ["primary@example.com"], cc: ["sup1@example.com"] },
      BILLING_NOTICE: billingList,
      MONTHLY_BILLING_STATEMENT: "not applicable",
      INVOICE: { to: ["ap@example.com"], cc: [] },
      SIM_TRANSFER_TOKEN: primaryOnly,
      EMAIL_VERIFICATION: { to: ["new@example.com"], cc: [] },
      ACCOUNT_RECOVERY: { to: ["recovery@example.com"], cc: [] },
    };
    expect(Object.keys(expected).sort()).toEqual([...notificationKinds].sort());
    for (const kind of notificationKinds) {
      const want = expected[kind];
      const got = recipientsFor(kind, everyRoute);
      if (want === "not applicable") expect(got, kind).toEqual({ kind, to: [], cc: [], applicable: false });
      else expect(got, kind).toEqual({ kind, ...want, applicable: true });
    }
  });
});
