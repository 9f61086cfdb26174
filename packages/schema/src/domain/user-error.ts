// Domain refusals are data (payload `userErrors`), never exceptions that reach the client.
// The codes are the contract's UserErrorCode enum.
export const userErrorCodes = [
  "INVALID_INPUT",
  "NOT_FOUND",
  "TOO_MANY_ITEMS",
  "CREDENTIALS_INVALID",
  "EMAIL_INVALID",
  "EMAIL_ALREADY_ADDED",
  "EMAIL_LIMIT_EXCEEDED",
  "EMAIL_NOT_VERIFIED",
  "EMAIL_PRIMARY_OF_OTHER_OPERATOR",
  "EMAIL_IS_PRIMARY",
  "EMAIL_HAS_OTHER_ROLE",
  "PRIMARY_EMAIL_NOT_REMOVABLE",
  "RECOVERY_EMAIL_NOT_REMOVABLE",
  "BILLING_EMAIL_LIMIT_EXCEEDED",
  "SUPPORT_EMAIL_LIMIT_EXCEEDED",
  "VERIFICATION_TOKEN_INVALID",
  "INVOICE_PAYMENT_REQUIRED",
  "SIM_REGISTRATION_INVALID",
  "SIM_ALREADY_REGISTERED",
  "SIM_TERMINATED",
  "SIM_TRANSFERRING",
  "INVALID_STATUS_TRANSITION",
  "SUBSCRIPTION_UNSUPPORTED",
  "TERMINATION_PROTECTED",
  "EXPIRY_IN_PAST",
  "SIM_NOT_READY",
  "TRANSFER_DESTINATION_INVALID",
  "TRANSFER_TO_SELF",
  "PAYMENT_METHOD_REQUIRED",
  "TRANSFER_TOKEN_INVALID",
  "TRANSFER_NOT_PENDING",
  "TRANSFER_SIM_STATUS_CHANGED",
  "SUPPORT_PLAN_INSUFFICIENT",
  "TICKET_CLOSED",
  "OFFICE_HOURS_MONTHLY_LIMIT",
  "OFFICE_HOURS_SLOT_TOO_SOON",
  "OFFICE_HOURS_SLOT_OUTSIDE_HOURS",
  "OFFICE_HOURS_DURATION_INVALID",
  "OFFICE_HOURS_SLOT_COUNT_INVALID",
  "MEETING_URL_REQUIRED",
  "MEETING_URL_INVALID",
  "WEBHOOK_URL_INVALID",
  "WEBHOOK_URL_FORBIDDEN",
  "WEBHOOK_LIMIT_EXCEEDED",
] as const;

export type UserErrorCode = (typeof userErrorCodes)[number];

export interface UserError {
  code: UserErrorCode;
  message: string;
  /** Path to the input field at fault, e.g. ["input", "simIds", "2"]. */
  field?: string[];
}

export function userError(code: UserErrorCode, message: string, field?: (string | number)[]): UserError {
  return field ? { code, message, field: field.map(String) } : { code, message };
}
