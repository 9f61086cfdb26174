// emails: the operator's addresses and their roles (E1–E10), payment and invoice settings.
import {
  AddEmailAddressDocument,
  EmailAddressesDocument,
  NotificationRecipientsDocument,
  RegisterPaymentMethodDocument,
  RemoveEmailAddressDocument,
  RequestAccountRecoveryDocument,
  SetEmailRoleDocument,
  UpdateInvoiceSettingsDocument,
  VerifyEmailAddressDocument,
  type EmailRole,
  type NotificationKind,
  type RegisterPaymentMethodInput,
  type RequestAccountRecoveryInput,
  type SetEmailRoleInput,
  type UpdateInvoiceSettingsInput,
} from "../generated/graphql.ts";
import { resultOf, type MutationResult } from "../result.ts";
import type { Runner } from "../runner.ts";
import type { CallOptions } from "../call-options.ts";
import type { EmailAddress, NotificationRecipients, Operator } from "../types.ts";

export function emailsApi(run: Runner) {
  return {
    /** Every added address, or those holding `role`; oldest first. */
    list(role?: EmailRole, options?: CallOptions): Promise<EmailAddress[]> {
      return run.query(EmailAddressesDocument, { role: role ?? null }, options, ({ viewer }) => viewer!.emailAddresses);
    },

    /** Adds an address and mails it a verification token (E5). */
    add(address: string, options?: CallOptions): Promise<MutationResult<EmailAddress>> {
      return run.mutate(AddEmailAddressDocument, { input: { address } }, options, ({ addEmailAddress }) => resultOf(addEmailAddress, (p) => p.emailAddress));
    },

    /** Verifies an address with the mailed token. Works without a token: the mailed token is the credential. */
    verify(token: string, options?: CallOptions): Promise<MutationResult<EmailAddress>> {
      return run.mutate(VerifyEmailAddressDocument, { input: { token } }, options, ({ verifyEmailAddress }) => resultOf(verifyEmailAddress, (p) => p.emailAddress));
    },

    /** Removes an added address and its roles; answers the removed address's ID. Not the primary (E2) nor the recovery address (E6). */
    remove(emailAddressId: string, options?: CallOptions): Promise<MutationResult<string>> {
      return run.mutate(RemoveEmailAddressDocument, { input: { emailAddressId } }, options, ({ removeEmailAddress }) => resultOf(removeEmailAddress, (p) => p.removedEmailAddressId));
    },

    /** Sets every address that holds a role afterwards (E3, E5–E8); changing PRIMARY needs the password. */
    setRole(input: SetEmailRoleInput, options?: CallOptions): Promise<MutationResult<Operator>> {
      return run.mutate(SetEmailRoleDocument, { input }, options, ({ setEmailRole }) => resultOf(setEmailRole, (p) => p.operator));
    },

    /** Who receives mail of one kind (E10): To and CC, primary first. */
    recipients(kind: NotificationKind, options?: CallOptions): Promise<NotificationRecipients> {
      return run.query(NotificationRecipientsDocument, { kind }, options, ({ viewer }) => viewer!.notificationRecipients);
    },

    /** Sets the invoice settings; only an invoice payer can (E9). */
    updateInvoiceSettings(input: UpdateInvoiceSettingsInput, options?: CallOptions): Promise<MutationResult<Operator>> {
      return run.mutate(UpdateInvoiceSettingsDocument, { input }, options, ({ updateInvoiceSettings }) => resultOf(updateInvoiceSettings, (p) => p.operator));
    },

    /** Registers or replaces the payment method (accepting transfers needs one, T6). */
    registerPaymentMethod(input: RegisterPaymentMethodInput, options?: CallOptions): Promise<MutationResult<Operator>> {
      return run.mutate(RegisterPaymentMethodDocument, { input }, options, ({ registerPaymentMethod }) => resultOf(registerPaymentMethod, (p) => p.operator));
    },

    /** Public (E6): always `accepted` for well-formed input, whether or not the operator exists. */
    requestAccountRecovery(input: RequestAccountRecoveryInput, options?: CallOptions): Promise<MutationResult<{ accepted: boolean }>> {
      return run.mutate(RequestAccountRecoveryDocument, { input }, options, ({ requestAccountRecovery }) => resultOf(requestAccountRecovery, (p) => ({ accepted: p.accepted })));
    },
  };
}

export type EmailsApi = ReturnType<typeof emailsApi>;
