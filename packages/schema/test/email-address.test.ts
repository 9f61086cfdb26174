import { describe, expect, it } from "vitest";
import {
  MAX_BILLING_ADDRESSES,
  MAX_SUPPORT_ADDRESSES,
  checkEmailSyntax,
  judgeRemoval,
  judgeRoleChange,
  normalizeEmail,
  rolesOf,
  type AddressRoles,
} from "../src/domain/email-address.ts";

const addr = (id: string, patch: Partial<AddressRoles> = {}): AddressRoles => ({
  id,
  verified: true,
  isPrimary: false,
  isRecovery: false,
  isBilling: false,
  isSupport: false,
  ...patch,
});
const codes = (errors: { code: string }[]) => errors.map((e) => e.code);

describe("email address syntax", () => {
  it("accepts ordinary addresses and normalizes case and spaces", () => {
    expect(checkEmailSyntax("Ops@Example.COM", ["x"])).toBeNull();
    expect(normalizeEmail("  Ops@Example.COM ")).toBe("ops@example.com");
  });
  it.each(["", "plain", "a@", "@b.com", "a b@c.com", `${"x".repeat(250)}@example.com`])("refuses %j with EMAIL_INVALID", (bad) => {
    expect(checkEmailSyntax(bad, ["input", "address"])?.code).toBe("EMAIL_INVALID");
  });
});

describe("roles", () => {
  it("E1: lists the roles an address holds", () => {
    expect(rolesOf(addr("a", { isPrimary: true }))).toEqual(["PRIMARY"]);
    expect(rolesOf(addr("a", { isBilling: true, isSupport: true }))).toEqual(["BILLING", "SUPPORT"]);
  });

  it("E2: the primary address cannot be removed", () => {
    expect(judgeRemoval(addr("a", { isPrimary: true }), [])?.code).toBe("PRIMARY_EMAIL_NOT_REMOVABLE");
  });
  it("E6: the recovery address cannot be removed; billing and support addresses can", () => {
    expect(judgeRemoval(addr("a", { isRecovery: true }), [])?.code).toBe("RECOVERY_EMAIL_NOT_REMOVABLE");
    expect(judgeRemoval(addr("a", { isBilling: true, isSupport: true }), [])).toBeNull();
  });

  it("E3: the primary cannot take another role", () => {
    for (const role of ["RECOVERY", "BILLING", "SUPPORT"] as const) {
      expect(codes(judgeRoleChange(role, [addr("p", { isPrimary: true })]))).toEqual(["EMAIL_IS_PRIMARY"]);
    }
  });
  it("E3: an address holding another role cannot become primary", () => {
    for (const patch of [{ isRecovery: true }, { isBilling: true }, { isSupport: true }]) {
      expect(codes(judgeRoleChange("PRIMARY", [addr("a", patch)], { passwordOk: true }))).toEqual(["EMAIL_HAS_OTHER_ROLE"]);
    }
  });
  it("E4: an address that is another operator's primary cannot become primary here", () => {
    const errors = judgeRoleChange("PRIMARY", [addr("a")], { passwordOk: true, primaryElsewhere: new Set(["a"]) });
    expect(codes(errors)).toEqual(["EMAIL_PRIMARY_OF_OTHER_OPERATOR"]);
  });
  it("E4: without the password the only answer is CREDENTIALS_INVALID, whatever the address (no oracle)", () => {
    for (const context of [{ passwordOk: false, primaryElsewhere: new Set(["a"]) }, { passwordOk: false }]) {
      expect(codes(judgeRoleChange("PRIMARY", [addr("a", { isBilling: true })], context))).toEqual(["CREDENTIALS_INVALID"]);
      expect(codes(judgeRoleChange("PRIMARY", [undefined], context))).toEqual(["CREDENTIALS_INVALID"]);
    }
  });
  it("E4: another operator's primary may be a recovery, billing or support address here", () => {
    expect(judgeRoleChange("BILLING", [addr("a")])).toEqual([]);
  });
  it("E5: only verified addresses take roles", () => {
    for (const role of ["PRIMARY", "RECOVERY", "BILLING", "SUPPORT"] as const) {
      expect(codes(judgeRoleChange(role, [addr("a", { verified: false })], { passwordOk: true }))).toEqual(["EMAIL_NOT_VERIFIED"]);
    }
  });
  it("E5: changing the primary needs the password and exactly one address", () => {
    expect(codes(judgeRoleChange("PRIMARY", [addr("a")], { passwordOk: false }))).toEqual(["CREDENTIALS_INVALID"]);
    expect(codes(judgeRoleChange("PRIMARY", [], { passwordOk: true }))).toEqual(["INVALID_INPUT"]);
    expect(codes(judgeRoleChange("PRIMARY", [addr("a"), addr("b")], { passwordOk: true }))).toEqual(["INVALID_INPUT"]);
    expect(judgeRoleChange("PRIMARY", [addr("a")], { passwordOk: true })).toEqual([]);
  });
  it("E6: one recovery address, replaceable but not removable", () => {
    expect(judgeRoleChange("RECOVERY", [addr("b")], { currentRecovery: addr("a", { isRecovery: true }) })).toEqual([]);
    expect(codes(judgeRoleChange("RECOVERY", [], { currentRecovery: addr("a", { isRecovery: true }) }))).toEqual(["RECOVERY_EMAIL_NOT_REMOVABLE"]);
    expect(codes(judgeRoleChange("RECOVERY", [], { currentRecovery: null }))).toEqual(["INVALID_INPUT"]);
    expect(codes(judgeRoleChange("RECOVERY", [addr("a"), addr("b")]))).toEqual(["TOO_MANY_ITEMS"]);
  });
  it("E7: at most 5 billing addresses; none is fine", () => {
    const five = Array.from({ length: MAX_BILLING_ADDRESSES }, (_, i) => addr(`b${i}`));
    expect(judgeRoleChange("BILLING", five)).toEqual([]);
    expect(judgeRoleChange("BILLING", [])).toEqual([]);
    expect(codes(judgeRoleChange("BILLING", [...five, addr("b6")]))).toEqual(["BILLING_EMAIL_LIMIT_EXCEEDED"]);
  });
  it("E8: at most 5 support addresses", () => {
    const six = Array.from({ length: MAX_SUPPORT_ADDRESSES + 1 }, (_, i) => addr(`s${i}`));
    expect(codes(judgeRoleChange("SUPPORT", six))).toEqual(["SUPPORT_EMAIL_LIMIT_EXCEEDED"]);
  });
  it("unknown and repeated addresses are refused with their input path", () => {
    const errors = judgeRoleChange("BILLING", [addr("a"), undefined, addr("a")]);
    expect(errors.map((e) => [e.code, e.field])).toEqual([
      ["NOT_FOUND", ["input", "emailAddressIds", "1"]],
      ["INVALID_INPUT", ["input", "emailAddressIds", "2"]],
    ]);
  });
});
