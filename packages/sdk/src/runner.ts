// Runs one typed document through urql and hands back its data or throws one typed SimgateError.
// Each call gets its own request ID, and each mutation call its own idempotency key, reused by
// every retry of that call (and by the auth exchange's one replay after a refresh).
import type { AnyVariables, Client, TypedDocumentNode } from "@urql/core";
import { SimgateServerError } from "./errors.ts";
import { IDEMPOTENCY_KEY_HEADER } from "./transport/retrying-fetch.ts";
import { randomId } from "./transport/random-id.ts";
import { toSimgateError } from "./transport/to-simgate-error.ts";

export interface Runner {
  query<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data>;
  mutate<Data, Variables extends AnyVariables>(document: TypedDocumentNode<Data, Variables>, variables: Variables): Promise<Data>;
}

export function createRunner(client: Client): Runner {
  const run = async <Data, Variables extends AnyVariables>(
    kind: "query" | "mutation",
    document: TypedDocumentNode<Data, Variables>,
    variables: Variables,
  ): Promise<Data> => {
    const requestId = randomId();
    const headers: Record<string, string> = { "x-request-id": requestId };
    if (kind === "mutation") headers[IDEMPOTENCY_KEY_HEADER] = randomId();
    const context = { fetchOptions: { headers }, requestPolicy: "network-only" as const };
    const result =
      kind === "query"
        ? await client.query(document, variables, context).toPromise()
        : await client.mutation(document, variables, context).toPromise();
    if (result.error) throw toSimgateError(result.error, requestId);
    if (result.data === undefined || result.data === null) {
      throw new SimgateServerError("The Simgate API answered without data.", { requestId });
    }
    return result.data;
  };
  return {
    query: (document, variables) => run("query", document, variables),
    mutate: (document, variables) => run("mutation", document, variables),
  };
}
