// urql reports every failure as a CombinedError; callers of the SDK get one typed SimgateError.
import type { CombinedError } from "@urql/core";
import {
  errorFromGraphQLErrors,
  SimgateError,
  SimgateNetworkError,
  SimgateRequestError,
  SimgateServerError,
  withResponse,
  type ResponseInfo,
} from "../errors.ts";

/**
 * `requestId`: the ID the SDK sent, for errors whose response did not name one. `lastResponse`:
 * what the transport saw of the call's last response, for errors urql made without the Response
 * (the viewer guard's UNAUTHENTICATED, say).
 */
export function toSimgateError(error: CombinedError, requestId?: string, lastResponse?: ResponseInfo): SimgateError {
  const response = error.response as Response | undefined;
  // The retrying fetch throws typed errors; fetchExchange wraps them as the network error.
  if (error.networkError instanceof SimgateError) return requestId ? withResponse(error.networkError, lastResponse, requestId) : error.networkError;
  if (error.graphQLErrors.length > 0) return errorFromGraphQLErrors(error.graphQLErrors, response ?? lastResponse, requestId);
  const status = response?.status ?? lastResponse?.status;
  const details = {
    cause: error.networkError,
    status,
    requestId: response?.headers?.get("x-request-id") ?? lastResponse?.requestId ?? requestId,
  };
  const message = error.networkError?.message ?? error.message;
  if (status !== undefined && status >= 500) return new SimgateServerError(message, { ...details, code: `HTTP_${status}` });
  // A success status with a body that is not a GraphQL answer.
  if (status !== undefined && status < 300) return new SimgateServerError(message, { ...details, code: "INVALID_RESPONSE" });
  // A response that is not GraphQL (a proxy's error page, say).
  if (status !== undefined) return new SimgateRequestError(message, { ...details, code: `HTTP_${status}` });
  return new SimgateNetworkError(message, details);
}
