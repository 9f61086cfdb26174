// Friendly names for the shapes the SDK returns, all derived from the generated types.
import type {
  AdminReportSessionMutation,
  AdminRunDueJobsMutation,
  AuditLogEntryFieldsFragment,
  EmailAddressFieldsFragment,
  NotificationRecipientsQuery,
  OfficeHoursRequestFieldsFragment,
  OperatorFieldsFragment,
  OutboxMessageFieldsFragment,
  SessionOperatorFieldsFragment,
  SimFieldsFragment,
  SimStatusChangeFieldsFragment,
  SimTransferFieldsFragment,
  SupportTicketFieldsFragment,
  TerminateSimsMutation,
} from "./generated/graphql.ts";

export type Sim = SimFieldsFragment;
export type SimStatusChange = SimStatusChangeFieldsFragment;
export type Operator = OperatorFieldsFragment;
/** The operator as signUp and authenticate return it; auth.viewer() has the rest. */
export type SessionOperator = SessionOperatorFieldsFragment;
export type EmailAddress = EmailAddressFieldsFragment;
export type SimTransfer = SimTransferFieldsFragment;
export type SupportTicket = SupportTicketFieldsFragment;
export type OfficeHoursRequest = OfficeHoursRequestFieldsFragment;
export type AuditLogEntry = AuditLogEntryFieldsFragment;
export type OutboxMessage = OutboxMessageFieldsFragment;
export type NotificationRecipients = NonNullable<NotificationRecipientsQuery["viewer"]>["notificationRecipients"];
/** One SIM's outcome in terminateMany, in input order; `sim` is null when it was not found. */
export type SimOperationResult = TerminateSimsMutation["terminateSims"]["results"][number];
/** The SIM as the administrator sees it after a session report. */
export type ReportedSim = NonNullable<AdminReportSessionMutation["adminReportSession"]["sim"]>;
export type DueJobsRun = Omit<AdminRunDueJobsMutation["adminRunDueJobs"], "userErrors">;

/** A new auth key: the secret is shown only now. */
export interface NewAuthKey {
  authKeyId: string;
  authKey: string;
}

/** A signed-in session: the bearer token, when it expires, and who it is. */
export interface Session {
  token: string;
  expiresAt: string | null;
  operator: SessionOperator;
}
