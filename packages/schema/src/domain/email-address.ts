// Section E: which addresses may hold which roles, and what may be removed.
import { z } from "zod";
import { userError, type UserError } from "./user-error.ts";

export type EmailRole = "PRIMARY" | "RECOVERY" | "BILLING" | "SUPPORT";

/** E9 (decision): at most 20 added addresses besides the primary, so 21 rows in all. */
export const MAX_ADDRESSES = 21;
/** E7. */
export const MAX_BILLING_ADDRESSES = 5;
/** E8 (decision). */
export const MAX_SUPPORT_ADDRESSES = 5;
export const MAX_EMAIL_LENGTH = 254;

const emailSyntax = z.email();

export function normalizeEmail(address: string): string {
  return address.trim().toLowerCase();
}

/** Null when the address is acceptable; the address is judged after trimming. */
export function checkEmailSyntax(address: string, field: (string | number)[]): UserError | null {
  const trimmed = address.trim();
  if (trimmed.length === 0 || trimmed.length > MAX_EMAIL_LENGTH || !emailSyntax.safeParse(trimmed).success) {
    return userError("EMAIL_INVALID", `"${truncate(trimmed)}" is not a valid email address.`, field);
  }
  return null;
}

function truncate(text: string): string {
  return text.length > 64 ? `${text.slice(0, 61)}...` : text;
}

export interface AddressRoles {
  id: string;
  verified: boolean;
  isPrimary: boolean;
  isRecovery: boolean;
  isBilling: boolean;
  isSupport: boolean;
}

export function rolesOf(a: AddressRoles): EmailRole[] {
  const roles: EmailRole[] = [];
  if (a.isPrimary) roles.push("PRIMARY");
  if (a.isRecovery) roles.push("RECOVERY");
  if (a.isBilling) roles.push("BILLING");
  if (a.isSupport) roles.push("SUPPORT");
  return roles;
}

/** E2, E6: the primary and the recovery address cannot be removed; other roles go with the address. */
export function judgeRemoval(a: AddressRoles, field: string[]): UserError | null {
  if (a.isPrimary) return userError("PRIMARY_EMAIL_NOT_REMOVABLE", "The primary address cannot be removed (E2).", field);
  if (a.isRecovery) {
    return userError("RECOVERY_EMAIL_NOT_REMOVABLE", "The recovery address can be replaced but not removed (E6).", field);
  }
  return null;
}

export interface RoleChangeContext {
  /** PRIMARY only: whether the caller's password was given and is right. */
  passwordOk?: boolean;
  /** PRIMARY only: IDs of requested addresses that are already another operator's primary (E4). */
  primaryElsewhere?: ReadonlySet<string>;
  /** The operator's current recovery address, if any. */
  currentRecovery?: AddressRoles | null;
}

/**
 * Judges `setEmailRole`: `requested[i]` is the address named at `emailAddressIds[i]`, or
 * undefined when the operator has no such address. Returns every refusal; empty means allowed.
 */
export function judgeRoleChange(
  role: EmailRole,
  requested: readonly (AddressRoles | undefined)[],
  context: RoleChangeContext = {},
): UserError[] {
  const path = (i: number) => ["input", "emailAddressIds", String(i)];
  // E4 without an oracle: a wrong password hears nothing about the addresses (whether one is
  // another operator's primary above all), only this.
  if (role === "PRIMARY" && !context.passwordOk) {
    return [userError("CREDENTIALS_INVALID", "Changing the primary address requires the current password.", ["input", "password"])];
  }
  const errors: UserError[] = [];
  const seen = new Set<string>();
  requested.forEach((a, i) => {
    if (!a) errors.push(userError("NOT_FOUND", "No such email address.", path(i)));
    else if (seen.has(a.id)) errors.push(userError("INVALID_INPUT", "The same address is named twice.", path(i)));
    else seen.add(a.id);
  });
  if (errors.length > 0) return errors;
  const addresses = requested as AddressRoles[];

  const count = (max: number, code: "BILLING_EMAIL_LIMIT_EXCEEDED" | "SUPPORT_EMAIL_LIMIT_EXCEEDED") => {
    if (addresses.length > max) {
      errors.push(userError(code, `At most ${max} addresses can hold the ${role} role.`, ["input", "emailAddressIds"]));
    }
  };
  switch (role) {
    case "PRIMARY":
      if (addresses.length !== 1) {
        return [userError("INVALID_INPUT", "Exactly one address takes the PRIMARY role.", ["input", "emailAddressIds"])];
      }
      break;
    case "RECOVERY":
      if (addresses.length === 0) {
        return context.currentRecovery
          ? [userError("RECOVERY_EMAIL_NOT_REMOVABLE", "The recovery address can be replaced but not removed (E6).", ["input", "emailAddressIds"])]
          : [userError("INVALID_INPUT", "Exactly one address takes the RECOVERY role.", ["input", "emailAddressIds"])];
      }
      if (addresses.length > 1) {
        return [userError("TOO_MANY_ITEMS", "Only one address can be the recovery address (E6).", ["input", "emailAddressIds"])];
      }
      break;
    case "BILLING":
      count(MAX_BILLING_ADDRESSES, "BILLING_EMAIL_LIMIT_EXCEEDED");
      break;
    case "SUPPORT":
      count(MAX_SUPPORT_ADDRESSES, "SUPPORT_EMAIL_LIMIT_EXCEEDED");
      break;
  }

  addresses.forEach((a, i) => {
    if (!a.verified) {
      errors.push(userError("EMAIL_NOT_VERIFIED", "Only verified addresses take roles (E5).", path(i)));
    }
    if (role === "PRIMARY") {
      if (a.isPrimary) return; // already primary: a no-op, allowed
      if (a.isRecovery || a.isBilling || a.isSupport) {
        errors.push(userError("EMAIL_HAS_OTHER_ROLE", "Move the address's other roles before making it primary (E3).", path(i)));
      }
      if (context.primaryElsewhere?.has(a.id)) {
        errors.push(userError("EMAIL_PRIMARY_OF_OTHER_OPERATOR", "This address is the primary address of another operator (E4).", path(i)));
      }
    } else if (a.isPrimary) {
      errors.push(userError("EMAIL_IS_PRIMARY", `The primary address cannot also be a ${role.toLowerCase()} address (E3).`, path(i)));
    }
  });
  return errors;
}
