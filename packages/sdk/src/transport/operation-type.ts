// Which kind of GraphQL operation a request body carries, read from the printed document: the
// retry policy needs it (queries are always safe to repeat; mutations only with an idempotency key).

export type OperationType = "query" | "mutation" | "subscription";

/**
 * The type of the first operation in a printed document. Definitions start at the beginning of a
 * line in printed GraphQL (nested selections are indented), and a bare `{` is a query.
 */
export function operationTypeOf(document: string): OperationType | undefined {
  const match = /^(query|mutation|subscription)\b|^\{/m.exec(document);
  if (!match) return undefined;
  return (match[1] as OperationType | undefined) ?? "query";
}

/** The operation type of a fetch request made by urql (POST JSON body, or GET with ?query=). */
export function operationTypeOfRequest(url: string, init: RequestInit | undefined): OperationType | undefined {
  if ((init?.method ?? "GET").toUpperCase() === "GET") {
    const query = new URL(url, "http://relative.invalid").searchParams.get("query");
    return query === null ? undefined : operationTypeOf(query);
  }
  if (typeof init?.body !== "string") return undefined;
  try {
    const body = JSON.parse(init.body) as { query?: unknown };
    return typeof body.query === "string" ? operationTypeOf(body.query) : undefined;
  } catch {
    return undefined;
  }
}
