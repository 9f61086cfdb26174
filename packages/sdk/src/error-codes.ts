// Every `code` a SimgateError can carry: what the server sends in `extensions.code` of a
// request-level error, and the SDK's own codes for failures that never got a usable answer.
// A test reads the server's sources and fails when the server can send a code missing here.
import type { UserErrorCode } from "./generated/graphql.ts";

/** `extensions.code` values the Simgate server (and graphql-yoga under it) sends. */
export const SERVER_ERROR_CODES = [
  // Who is calling
  "UNAUTHENTICATED",
  "FORBIDDEN",
  // What a user may do (U3–U5): a read its statements do not allow, or a root-only query
  // (explainAccess). Refused mutations answer PERMISSION_DENIED as a userError instead.
  "PERMISSION_DENIED",
  // A query naming something that does not exist (explainAccess's user or SIM)
  "NOT_FOUND",
  // The event log (V2): a read after events that retention already pruned
  "EVENT_CURSOR_EXPIRED",
  // The live stream (V4): the operator already holds as many open subscriptions as allowed
  "TOO_MANY_SUBSCRIPTIONS",
  // Budgets and fair use: HTTP 429 with Retry-After
  "RATE_LIMITED",
  "OPERATOR_BUSY",
  // The request itself: HTTP 400, 413 or 415, refused before anything ran
  "BAD_REQUEST",
  "BAD_USER_INPUT",
  "GRAPHQL_PARSE_FAILED",
  "GRAPHQL_VALIDATION_FAILED",
  "OPERATION_RESOLUTION_FAILURE",
  "PAYLOAD_TOO_LARGE",
  "REQUEST_ENTITY_TOO_LARGE",
  "UNSUPPORTED_MEDIA_TYPE",
  "INPUT_LIMIT_EXCEEDED",
  "INTROSPECTION_DISABLED",
  // Query limits
  "QUERY_DEPTH_EXCEEDED",
  "QUERY_ALIASES_EXCEEDED",
  "QUERY_TOKENS_EXCEEDED",
  "QUERY_DIRECTIVES_EXCEEDED",
  "QUERY_COST_EXCEEDED",
  "QUERY_VARIABLES_EXCEEDED",
  "CONNECTION_LIMIT_REQUIRED",
  "CONNECTION_LIMIT_EXCEEDED",
  "CONNECTION_LIMIT_INVALID",
  // Persisted operations
  "PERSISTED_QUERY_NOT_FOUND",
  "PERSISTED_QUERY_ONLY",
  // Idempotency keys
  "IDEMPOTENCY_IN_PROGRESS",
  "IDEMPOTENCY_KEY_REUSED",
  "IDEMPOTENCY_RECORD_UNREADABLE",
  // A server fault, masked (the message is generic; quote the requestId)
  "INTERNAL_SERVER_ERROR",
] as const;

export type SimgateServerErrorCode = (typeof SERVER_ERROR_CODES)[number];

/** Codes the SDK sets itself, when no GraphQL answer said why. */
export type SimgateClientErrorCode =
  /** No usable response: connection refused, reset or dropped. */
  | "NETWORK_ERROR"
  /** No answer within `timeoutMs`, or the call's signal timed out (`AbortSignal.timeout`). */
  | "TIMEOUT"
  /** The call's `signal` was aborted. */
  | "ABORTED"
  /** A browser refused the answer: the server does not allow this page's origin (SIMGATE_CORS_ORIGINS). */
  | "CORS"
  /** A response that is not a GraphQL answer (a proxy's error page), by HTTP status. */
  | `HTTP_${number}`
  /** A GraphQL answer without the data the operation promises. */
  | "INVALID_RESPONSE"
  /** verifyWebhook: the signature does not match the secret, or the timestamp is too old or new, or headers are missing. */
  | "WEBHOOK_VERIFICATION_FAILED"
  /** A GraphQL error with a code this SDK version does not know (the raw one is in `errors`). */
  | "UNKNOWN_ERROR";

/**
 * `SimgateError.code`. A refused sign-in of the client itself (auth key or user password) carries
 * the refusal's `UserErrorCode`, e.g. `CREDENTIALS_INVALID`. Payload refusals (`UserError.code`:
 * `PERMISSION_DENIED`, `PERMISSION_STATEMENT_INVALID`, `USER_NAME_TAKEN`, `USER_NAME_INVALID`,
 * `USER_LIMIT_EXCEEDED`, `CIDR_INVALID`, `GROUP_NAME_TAKEN`, `GROUP_LIMIT_EXCEEDED`,
 * `GROUP_NOT_EMPTY`, …) are the contract's `UserErrorCode`, generated from the schema.
 */
export type SimgateErrorCode = SimgateServerErrorCode | SimgateClientErrorCode | UserErrorCode;

const serverCodes: ReadonlySet<string> = new Set(SERVER_ERROR_CODES);

/** The server's code as the SDK reports it: known codes unchanged, anything else UNKNOWN_ERROR. */
export function knownServerCode(code: unknown): SimgateServerErrorCode | "UNKNOWN_ERROR" {
  return typeof code === "string" && serverCodes.has(code) ? (code as SimgateServerErrorCode) : "UNKNOWN_ERROR";
}
