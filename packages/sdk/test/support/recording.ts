// A fetch that notes each request's operation, idempotency key and authorization, for tests that
// count requests (chunks, sign-ins).
import type { FetchFunction } from "../../src/index.ts";

export interface RecordedRequest {
  operation: string;
  idempotencyKey: string | null;
  authorization: string | null;
}

export function recordingFetch(): { fetch: FetchFunction; requests: RecordedRequest[]; of(operation: string): RecordedRequest[] } {
  const requests: RecordedRequest[] = [];
  const fetch: FetchFunction = async (input, init) => {
    const headers = new Headers(init?.headers);
    requests.push({
      operation: (JSON.parse(String(init?.body)) as { operationName: string }).operationName,
      idempotencyKey: headers.get("idempotency-key"),
      authorization: headers.get("authorization"),
    });
    return globalThis.fetch(input, init);
  };
  return { fetch, requests, of: (operation) => requests.filter((r) => r.operation === operation) };
}
