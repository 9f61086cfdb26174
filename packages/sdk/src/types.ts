// Friendly names for the shapes the SDK returns, all derived from the generated types.
import type {
  AdminReportSessionMutation,
  AdminRunDueJobsMutation,
  AuditLogEntryFieldsFragment,
  CreateUserInput,
  ExplainAccessQuery,
  PermissionEffect,
  EmailAddressFieldsFragment,
  NotificationRecipientsQuery,
  OfficeHoursRequestFieldsFragment,
  OperatorFieldsFragment,
  OutboxMessageFieldsFragment,
  SessionOperatorFieldsFragment,
  SimFieldsFragment,
  SimGroupFieldsFragment,
  SimOperationResultFieldsFragment,
  SimStatusChangeFieldsFragment,
  SimTransferFieldsFragment,
  SupportTicketFieldsFragment,
  UserAuthKeyFieldsFragment,
  UserFieldsFragment,
  WhoamiQuery,
  WebhookDeliveryFieldsFragment,
  WebhookEndpointFieldsFragment,
} from "./generated/graphql.ts";
import type { SimgateAction } from "./generated/actions.ts";

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
/**
 * One SIM's outcome in a bulk call (terminateMany, applyAction, setSimGroup, …), in input order;
 * `sim` is null when it was not found. `userErrors[].field` points into the whole list you passed
 * (e.g. `["input", "simIds", "1500"]`), not into the chunk it was sent in.
 */
export type SimOperationResult = SimOperationResultFieldsFragment;
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

/**
 * One permission statement (U3). `actions` are checked against the server's action catalog at
 * compile time: `"Sim:terminatSim"` does not type-check. DENY wins over ALLOW; nothing matching
 * is a denial.
 */
export interface PermissionStatement {
  effect: PermissionEffect;
  actions: SimgateAction[];
  /** U4 patterns: "*", "sim:*", "sim:imsi:<digits>[*]", "sim:tag:<name>=<value>[*]", "sim:group:<name>". */
  resources: string[];
}

/** A statement as you write it; `resources` left out means `["*"]`. */
export interface PermissionStatementInput {
  effect: PermissionEffect;
  actions: SimgateAction[];
  resources?: string[];
}

/** A user under the root user (U1); `permissions` in order (explainAccess names them by index). */
export type User = Omit<UserFieldsFragment, "permissions"> & { permissions: PermissionStatement[] };

/** createUser's input with typed statements. */
export type NewUser = Omit<CreateUserInput, "permissions"> & { permissions?: PermissionStatementInput[] };

/** An auth key that signs in as a user (U9). */
export type UserAuthKey = UserAuthKeyFieldsFragment;

/** Who is calling (U1): the root user (`user` null) or a user, and the auth key used, if any. */
export type Principal = Omit<NonNullable<WhoamiQuery["whoami"]>, "user"> & { user: User | null };

/** The evaluator's answer (U7): allowed, the index of the deciding statement (null: nothing matched), and why. */
export type AccessDecision = ExplainAccessQuery["explainAccess"];

/** A named set of SIMs (G1). */
export type SimGroup = SimGroupFieldsFragment;

/** Where events are POSTed (V5). */
export type WebhookEndpoint = WebhookEndpointFieldsFragment;

/** An endpoint with its signing secret (`whsec_…`): the answer of create and rotateSecret, the only time the secret is shown. */
export interface WebhookEndpointWithSecret {
  endpoint: WebhookEndpoint;
  signingSecret: string;
}

/** One event sent to one endpoint, with its attempts (V5). */
export type WebhookDelivery = WebhookDeliveryFieldsFragment;
