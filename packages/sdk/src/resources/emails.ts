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
import type { EmailAddress, NotificationRecipients, Operator } from "../types.ts";

export function emailsApi(run: Runner) {
  return {
    /** Every added address, or those holding `role`; oldest first. */
    async list(role?: EmailRole): Promise<EmailAddress[]> {
      const { viewer } = await run.query(EmailAddressesDocument, { role: role ?? null });
      return viewer!.emailAddresses;
    },

    /** Adds an address and mails it a verification token (E5). */
    async add(address: string): Promise<MutationResult<EmailAddress>> {
      const { addEmailAddress } = await run.mutate(AddEmailAddressDocument, { input: { address } });
      return resultOf(addEmailAddress, (p) => p.emailAddress);
    },

    /** Verifies an address with the mailed token. Works without a token: the mailed token is the credential. */
    async verify(token: string): Promise<MutationResult<EmailAddress>> {
      const { verifyEmailAddress } = await run.mutate(VerifyEmailAddressDocument, { input: { token } });
      return resultOf(verifyEmailAddress, (p) => p.emailAddress);
    },

    /** Removes an added address and its roles; answers the removed address's ID. Not the primary (E2) nor the recovery address (E6). */
    async remove(emailAddressId: string): Promise<MutationResult<string>> {
      const { removeEmailAddress } = await run.mutate(RemoveEmailAddressDocument, { input: { emailAddressId } });
      return resultOf(removeEmailAddress, (p) => p.removedEmailAddressId);
    },

    /** Sets every address that holds a role afterwards (E3, E5–E8); changing PRIMARY needs the password. */
    async setRole(input: SetEmailRoleInput): Promise<MutationResult<Operator>> {
      const { setEmailRole } = await run.mutate(SetEmailRoleDocument, { input });
      return resultOf(setEmailRole, (p) => p.operator);
    },

    /** Who receives mail of one kind (E10): To and CC, primary first. */
    async recipients(kind: NotificationKind): Promise<NotificationRecipients> {
      const { viewer } = await run.query(NotificationRecipientsDocument, { kind });
      return viewer!.notificationRecipients;
    },

    /** Sets the invoice settings; only an invoice payer can (E9). */
    async updateInvoiceSettings(input: UpdateInvoiceSettingsInput): Promise<MutationResult<Operator>> {
      const { updateInvoiceSettings } = await run.mutate(UpdateInvoiceSettingsDocument, { input });
      return resultOf(updateInvoiceSettings, (p) => p.operator);
    },

    /** Registers or replaces the payment method (accepting transfers needs one, T6). */
    async registerPaymentMethod(input: RegisterPaymentMethodInput): Promise<MutationResult<Operator>> {
      const { registerPaymentMethod } = await run.mutate(RegisterPaymentMethodDocument, { input });
      return resultOf(registerPaymentMethod, (p) => p.operator);
    },

    /** Public (E6): always `accepted` for well-formed input, whether or not the operator exists. */
    async requestAccountRecovery(input: RequestAccountRecoveryInput): Promise<MutationResult<{ accepted: boolean }>> {
      const { requestAccountRecovery } = await run.mutate(RequestAccountRecoveryDocument, { input });
      return resultOf(requestAccountRecovery, (p) => ({ accepted: p.accepted }));
    },
  };
}

export type EmailsApi = ReturnType<typeof emailsApi>;
