// Text that no database stores as sent is refused before any resolver runs.
// PostgreSQL rejects NUL (U+0000) in text, so such input failed deep in a write as a masked
// INTERNAL_SERVER_ERROR (found by bad-input-sweep.test.ts); an unpaired UTF-16 surrogate is not
// Unicode and both drivers would silently store U+FFFD instead. One check over the variables and
// the document's string literals covers every field, present and future, on both engines.
import { GraphQLError, Kind, visit, type DocumentNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { OperationStart } from "./query-limits.ts";

const UNSTORABLE = /\u0000|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The path of the first string inside `value` that cannot be stored, or null. */
function firstUnstorable(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === "string") return UNSTORABLE.test(value) ? path : null;
  if (value === null || typeof value !== "object" || depth > 64) return null;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i += 1) {
      const found = firstUnstorable(value[i], `${path}.${i}`, depth + 1);
      if (found) return found;
    }
    return null;
  }
  for (const [key, v] of Object.entries(value)) {
    // Keys are names in GraphQL; one that cannot be stored is just as wrong.
    if (UNSTORABLE.test(key)) return path;
    const found = firstUnstorable(v, `${path}.${key}`, depth + 1);
    if (found) return found;
  }
  return null;
}

// A document's literals never change, and yoga hands the same parsed document to every request
// that sends the same text (its parse cache): walked once per document.
const literalsChecked = new WeakMap<DocumentNode, boolean>();

function literalHasUnstorable(document: DocumentNode): boolean {
  let found = literalsChecked.get(document);
  if (found === undefined) literalsChecked.set(document, (found = walkLiterals(document)));
  return found;
}

function walkLiterals(document: DocumentNode): boolean {
  let found = false;
  visit(document, {
    [Kind.STRING](node) {
      if (UNSTORABLE.test(node.value)) found = true;
    },
  });
  return found;
}

export function unstorableTextError(where: string): GraphQLError {
  return new GraphQLError(`Text must be valid Unicode without NUL characters (${where}).`, {
    extensions: { code: "BAD_USER_INPUT", http: { status: 400 } },
  });
}

/** Refuses (HTTP 400, BAD_USER_INPUT) any request whose text input contains NUL or an unpaired surrogate. */
export function useStorableText(): Plugin {
  return {
    onExecute: (start) => checkText(start),
    onSubscribe: (start) => checkText(start),
  };
}

function checkText({ args, setResultAndStopExecution }: OperationStart): void {
  const variables = (args.variableValues ?? {}) as Record<string, unknown>;
  const inVariables = Object.entries(variables)
    .map(([name, value]) => firstUnstorable(value, `$${name}`))
    .find((p) => p !== null);
  if (inVariables) {
    setResultAndStopExecution({ errors: [unstorableTextError(`variable ${inVariables}`)] });
    return;
  }
  if (literalHasUnstorable(args.document)) setResultAndStopExecution({ errors: [unstorableTextError("a string literal in the document")] });
}
