// Runs one typed document through urql and hands back its data (shaped by the method) or throws
// one typed SimgateError. Each call gets its own request ID, and each mutation call its own
// idempotency key, reused by every retry of that call (and by the auth exchange's one replay after
// a refresh). The call's signal ends it at once, wherever it is: queued behind a sign-in, in flight,
// or waiting to retry; urql then tears the operation down, which aborts the fetch.
import type { AnyVariables, Client, OperationResult, TypedDocumentNode } from "@urql/core";
import { abortError, CALL_CONTEXT, checkTimeout, type CallContext, type CallOptions } from "./call-options.ts";
import { SimgateError, SimgateServerError, withResponse, type ResponseInfo } from "./errors.ts";
import { IDEMPOTENCY_KEY_HEADER } from "./transport/retrying-fetch.ts";
import { randomId } from "./transport/random-id.ts";
import { toSimgateError } from "./transport/to-simgate-error.ts";

export interface Runner {
  query<Data, Variables extends AnyVariables, Out = Data>(
    document: TypedDocumentNode<Data, Variables>,
    variables: Variables,
    options: CallOptions | undefined,
    shape?: (data: Data) => Out,
  ): Promise<Out>;
  mutate<Data, Variables extends AnyVariables, Out = Data>(
    document: TypedDocumentNode<Data, Variables>,
    variables: Variables,
    options: CallOptions | undefined,
    shape?: (data: Data) => Out,
  ): Promise<Out>;
}

/** The first complete result of `source`; rejects and unsubscribes (tearing the operation down) when `signal` aborts. */
function firstResult<Data>(
  source: { subscribe(onResult: (result: OperationResult<Data>) => void): { unsubscribe(): void } },
  signal: AbortSignal | undefined,
  requestId: string,
): Promise<OperationResult<Data>> {
  return new Promise((resolve, reject) => {
    let settled = false;
    let subscription: { unsubscribe(): void } | undefined;
    const finish = () => {
      settled = true;
      signal?.removeEventListener("abort", onAbort);
      subscription?.unsubscribe();
    };
    const onAbort = () => {
      finish();
      reject(abortError(signal?.reason, requestId));
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    subscription = source.subscribe((result) => {
      if (settled || result.stale || result.hasNext) return;
      finish();
      resolve(result);
    });
    // A result delivered during subscribe() found no subscription to end yet.
    if (settled) subscription.unsubscribe();
  });
}

export function createRunner(client: Client): Runner {
  const run = async <Data, Variables extends AnyVariables, Out>(
    kind: "query" | "mutation",
    document: TypedDocumentNode<Data, Variables>,
    variables: Variables,
    options: CallOptions = {},
    shape: (data: Data) => Out = (data) => data as unknown as Out,
  ): Promise<Out> => {
    const requestId = randomId();
    if (options.signal?.aborted) throw abortError(options.signal.reason, requestId);
    let lastResponse: ResponseInfo | undefined;
    const call: CallContext = {
      timeoutMs: checkTimeout("timeoutMs", options.timeoutMs),
      onResponse: (response) => {
        lastResponse = response;
      },
    };
    const headers: Record<string, string> = { "x-request-id": requestId };
    if (kind === "mutation") headers[IDEMPOTENCY_KEY_HEADER] = randomId();
    const context = { fetchOptions: { headers, [CALL_CONTEXT]: call } as RequestInit, requestPolicy: "network-only" as const };
    const source = kind === "query" ? client.query(document, variables, context) : client.mutation(document, variables, context);
    const result = await firstResult(source, options.signal, requestId);
    if (result.error) throw toSimgateError(result.error, requestId, lastResponse);
    try {
      if (result.data === undefined || result.data === null) {
        throw new SimgateServerError("The Simgate API answered without data.", { code: "INVALID_RESPONSE" });
      }
      return shape(result.data);
    } catch (error) {
      // A malformed answer: name the response it came in.
      throw error instanceof SimgateError ? withResponse(error, lastResponse, requestId) : error;
    }
  };
  return {
    query: (document, variables, options, shape) => run("query", document, variables, options, shape),
    mutate: (document, variables, options, shape) => run("mutation", document, variables, options, shape),
  };
}
