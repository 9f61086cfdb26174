// urql reports every failure as a CombinedError; callers of the SDK get one typed SimgateError.
import type { CombinedError } from "@urql/core";
import { errorFromGraphQLErrors, SimgateError, SimgateNetworkError, SimgateRequestError, SimgateServerError } from "../errors.ts";

/** `requestId`: the ID the SDK sent, for errors whose response did not name one. */
export function toSimgateError(error: CombinedError, requestId?: string): SimgateError {
  const response = error.response as Response | undefined;
  // The retrying fetch throws typed errors; fetchExchange wraps them as the network error.
  if (error.networkError instanceof SimgateError) return error.networkError;
  if (error.graphQLErrors.length > 0) return errorFromGraphQLErrors(error.graphQLErrors, response, requestId);
  const details = {
    cause: error.networkError,
    status: response?.status,
    requestId: response?.headers?.get("x-request-id") ?? requestId,
  };
  const message = error.networkError?.message ?? error.message;
  if (response && response.status >= 500) return new SimgateServerError(message, { ...details, code: `HTTP_${response.status}` });
  // A response that is not GraphQL (a proxy's error page, say).
  if (response) return new SimgateRequestError(message, { ...details, code: `HTTP_${response.status}` });
  return new SimgateNetworkError(message, { ...details, code: "NETWORK" });
}
