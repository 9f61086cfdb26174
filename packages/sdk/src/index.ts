// @simgate/sdk: the typed client of the Simgate API. Runs in Node 20+ and browsers (ESM, Web
// fetch and Web Crypto only).
export { createSimgateClient, DEFAULT_PAGE_SIZE } from "./client.ts";
export type { SimgateClient, SimgateClientOptions, SimgateConnection } from "./client.ts";
export { DEFAULT_TIMEOUT_MS } from "./call-options.ts";
export type { CallOptions } from "./call-options.ts";
export {
  SimgateAbortError,
  SimgateAuthenticationError,
  SimgateCorsError,
  SimgateError,
  SimgateEventCursorExpiredError,
  SimgateForbiddenError,
  SimgateIdempotencyError,
  SimgateNetworkError,
  SimgateNotFoundError,
  SimgatePermissionError,
  SimgateRateLimitError,
  SimgateRequestError,
  SimgateServerError,
  SimgateTimeoutError,
  SimgateTooManySubscriptionsError,
  SimgateWebhookVerificationError,
} from "./errors.ts";
export { verifyWebhook } from "./verify-webhook.ts";
export type { WebhookHeaders } from "./verify-webhook.ts";
export { SIMGATE_EVENT_TYPES } from "./generated/events.ts";
export type {
  SimgateEvent,
  SimgateEventsByType,
  SimgateEventType,
  SimgateLogEventType,
  SimgateWebhookEvent,
  SimgateWebhookEventRefs,
  SimgateWebhookEventsByType,
} from "./generated/events.ts";
export type { EventListArgs, EventsApi, SubscribeArgs } from "./resources/events.ts";
export type { WebhookDeliveriesArgs, WebhooksApi } from "./resources/webhooks.ts";
export type { GraphQLErrorInfo, SimgateErrorDetails } from "./errors.ts";
export { SERVER_ERROR_CODES } from "./error-codes.ts";
export type { SimgateClientErrorCode, SimgateErrorCode, SimgateServerErrorCode } from "./error-codes.ts";
export type { MutationResult, UserError } from "./result.ts";
export type { CollectArgs, ConnectionMethod, IterateArgs, Page, PageArgs, PageInfo } from "./pagination.ts";
export type { RetryEvent, RetryOptions } from "./transport/backoff.ts";
export type { AuthKeyCredentials, AuthKeyOptions, UserCredentials } from "./transport/auth.ts";
export { BULK_CHUNK_SIZE } from "./bulk.ts";
export type { BulkResult } from "./bulk.ts";
export { SIMGATE_ACTIONS } from "./generated/actions.ts";
export type { SimgateAction, SimgateActionArea, SimgateCatalogAction } from "./generated/actions.ts";
export type { FetchFunction } from "./transport/retrying-fetch.ts";
export type { AdminApi, OutboxArgs, ProvisionOutcome } from "./resources/admin.ts";
export type { AuditApi } from "./resources/audit.ts";
export type { AuthApi } from "./resources/auth.ts";
export type { EmailsApi } from "./resources/emails.ts";
export type { GroupsApi, SetSimGroupArgs } from "./resources/groups.ts";
export type { UsersApi } from "./resources/users.ts";
export type { SimListArgs, SimsApi } from "./resources/sims.ts";
export type { SupportApi } from "./resources/support.ts";
export type { TransferListArgs, TransfersApi } from "./resources/transfers.ts";
export type * from "./types.ts";
// The SDK's statement input (actions typed by the catalog) wins over the generated one (actions: string[]).
export type { PermissionStatementInput } from "./types.ts";
// Inputs, enums (as string unions) and operation types generated from the schema.
export type * from "./generated/graphql.ts";
