// The schema answers `viewer: null` and `whoami: null` (not an error) without a valid token. Every
// SDK query that reads through them needs someone signed in, so a null one becomes UNAUTHENTICATED:
// the auth exchange can then refresh a signed-in client's token, and callers get
// SimgateAuthenticationError.
import { CombinedError, mapExchange, type Exchange } from "@urql/core";

const GUARDED = ["viewer", "whoami"] as const;

export const viewerGuardExchange: Exchange = mapExchange({
  onResult(result) {
    const data = result.data as Record<string, unknown> | null | undefined;
    if (result.operation.kind !== "query" || result.error || !data || !GUARDED.some((field) => field in data && data[field] === null)) return result;
    return {
      ...result,
      data: undefined,
      error: new CombinedError({
        graphQLErrors: [{ message: "Sign in first: the request carried no valid token.", extensions: { code: "UNAUTHENTICATED" } }],
      }),
    };
  },
});
