// The schema answers `viewer: null` (not an error) without a valid token. Every SDK query that
// reads through `viewer` needs a signed-in operator, so a null viewer becomes UNAUTHENTICATED:
// the auth exchange can then refresh an auth-key token, and callers get SimgateAuthenticationError.
import { CombinedError, mapExchange, type Exchange } from "@urql/core";

export const viewerGuardExchange: Exchange = mapExchange({
  onResult(result) {
    const data = result.data as Record<string, unknown> | null | undefined;
    if (result.operation.kind !== "query" || result.error || !data || !("viewer" in data) || data.viewer !== null) return result;
    return {
      ...result,
      data: undefined,
      error: new CombinedError({
        graphQLErrors: [{ message: "Sign in first: the request carried no valid token.", extensions: { code: "UNAUTHENTICATED" } }],
      }),
    };
  },
});
