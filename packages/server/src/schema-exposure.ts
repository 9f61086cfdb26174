// How much of the schema a caller can learn. GraphiQL and introspection are part of the product
// (the explorer) and stay on unless SIMGATE_INTROSPECTION=false turns both off. In production,
// graphql-js's "Did you mean …" hints are cut from every error, whichever stage wrote them (unknown
// fields and arguments in validation, misspelt input fields and enum values while coercing
// variables), so a wrong guess says nothing about the right name.
import { GraphQLError, NoSchemaIntrospectionCustomRule, type ExecutionResult, type ValidationRule } from "graphql";
import type { Plugin } from "graphql-yoga";

export const INTROSPECTION_DISABLED = "INTROSPECTION_DISABLED";
export const SUGGESTION_HIDDEN = "[Suggestion hidden]";

/** graphql-js's didYouMean(): " Did you mean "a", "b", or "c"?" — names only, so no "?" inside. */
const SUGGESTION = /Did you mean [^?]*\?/g;

function withoutSuggestion(error: GraphQLError): GraphQLError {
  if (!error.message.includes("Did you mean")) return error;
  return new GraphQLError(error.message.replace(SUGGESTION, SUGGESTION_HIDDEN), {
    nodes: error.nodes,
    source: error.source,
    positions: error.positions,
    path: error.path,
    originalError: error.originalError,
    extensions: error.extensions,
  });
}

/** Rewrites every error of every result, just before it is sent. */
export function useHiddenSuggestions(): Plugin {
  const clean = (one: ExecutionResult): ExecutionResult =>
    one.errors?.some((e) => e.message.includes("Did you mean")) ? { ...one, errors: one.errors.map(withoutSuggestion) } : one;
  return {
    onResultProcess({ result, setResult }) {
      if (Array.isArray(result)) setResult(result.map(clean));
      else if (result && typeof result === "object" && !(Symbol.asyncIterator in result)) setResult(clean(result as ExecutionResult));
    },
  };
}

/** graphql-js's rule, reporting with a code of its own and HTTP 400 (also for Accept: application/json). */
const noIntrospection: ValidationRule = (context) =>
  NoSchemaIntrospectionCustomRule(
    Object.assign(Object.create(context) as typeof context, {
      reportError: (error: GraphQLError) =>
        context.reportError(
          new GraphQLError(`${error.message} Introspection is turned off on this server (SIMGATE_INTROSPECTION=false).`, {
            nodes: error.nodes,
            extensions: { code: INTROSPECTION_DISABLED, http: { status: 400, spec: false } },
          }),
        ),
    }),
  );

/** Refuses `__schema` and `__type` before execution (`__typename` stays, clients rely on it). */
export function useNoIntrospection(): Plugin {
  return {
    onValidate({ addValidationRule }) {
      addValidationRule(noIntrospection);
    },
  };
}
