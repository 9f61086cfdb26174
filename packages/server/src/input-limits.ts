// How much input one request may carry, checked before anything executes: the variables as a
// whole (bytes), every list and every String/ID argument value against the bound the schema
// declares for it (packages/schema/src/graphql/input-bounds.ts: declared per argument or input
// field, a default everywhere else), and every connection cursor, decoded the way its connection
// will decode it (packages/schema/src/graphql/cursors.ts). The checks run on the coerced argument
// values (graphql-js getVariableValues/getArgumentValues), so variables and inline literals are
// judged alike, and refusals never quote the input.
import {
  getArgumentValues,
  getNamedType,
  getNullableType,
  GraphQLError,
  isCompositeType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  Kind,
  type DocumentNode,
  type GraphQLCompositeType,
  type GraphQLInputType,
  type GraphQLSchema,
  type SelectionSetNode,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { boundsFor, type InputBounds } from "@simgate/schema/graphql/input-bounds";
import { checkConnectionCursor, InvalidCursor } from "@simgate/schema/graphql/cursors";
import { executedOperation, VariableFreeAnswers } from "./coerced-variables.ts";
import type { OperationStart } from "./query-limits.ts";

export const INPUT_LIMIT_CODES = {
  input: "INPUT_LIMIT_EXCEEDED",
  variables: "QUERY_VARIABLES_EXCEEDED",
  cursor: "BAD_USER_INPUT",
} as const;

export interface InputLimits {
  /** Bytes of the request's `variables`, as JSON (UTF-8). */
  variablesBytes: number;
}

function refusal(message: string, code: string): GraphQLError {
  // As in query-limits.ts: 400 whatever the client accepts.
  return new GraphQLError(message, { extensions: { code, http: { status: 400, spec: false } } });
}

const formatted = (n: number) => n.toLocaleString("en");

/** UTF-8 bytes of `variables` as JSON; Infinity when it cannot even be serialized (too deep). */
export function variablesBytes(variables: unknown): number {
  if (variables === undefined || variables === null) return 0;
  try {
    return Buffer.byteLength(JSON.stringify(variables) ?? "", "utf8");
  } catch {
    return Number.POSITIVE_INFINITY;
  }
}

const TEXT_SCALARS = new Set(["String", "ID"]);

function innermostIsText(type: GraphQLInputType): { list: boolean; text: boolean } {
  let list = false;
  let current: GraphQLInputType = type;
  for (;;) {
    if (isNonNullType(current)) current = current.ofType;
    else if (isListType(current)) {
      list = true;
      current = current.ofType;
    } else break;
  }
  return { list, text: isScalarType(current) && TEXT_SCALARS.has(current.name) };
}

/** The bounds of an argument or input field: what the schema declared, else the defaults. */
function boundsOf(input: { type: GraphQLInputType; extensions?: Readonly<Record<string, unknown>> | null }): InputBounds {
  const declared = input.extensions?.inputBounds as InputBounds | undefined;
  if (declared) return declared;
  const { list, text } = innermostIsText(input.type);
  return boundsFor(undefined, list, text);
}

/** The first value inside `value` (of `type`) past its bounds, as a refusal; null when none. */
function checkValue(value: unknown, type: GraphQLInputType, bounds: InputBounds, path: string): GraphQLError | null {
  if (value === null || value === undefined) return null;
  const nullable = getNullableType(type) as GraphQLInputType;
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return checkValue(value, nullable.ofType, bounds, path);
    const max = bounds.maxItems;
    if (max !== undefined && value.length > max) {
      return refusal(`${path} takes at most ${formatted(max)} items; found ${formatted(value.length)}.`, INPUT_LIMIT_CODES.input);
    }
    for (let i = 0; i < value.length; i += 1) {
      const problem = checkValue(value[i], nullable.ofType, bounds, `${path}[${i}]`);
      if (problem) return problem;
    }
    return null;
  }
  if (isInputObjectType(nullable)) {
    for (const field of Object.values(nullable.getFields())) {
      const problem = checkValue((value as Record<string, unknown>)[field.name], field.type, boundsOf(field), `${path}.${field.name}`);
      if (problem) return problem;
    }
    return null;
  }
  if (typeof value === "string" && bounds.maxLength !== undefined && value.length > bounds.maxLength) {
    return refusal(`${path} is at most ${formatted(bounds.maxLength)} characters long; found ${formatted(value.length)}.`, INPUT_LIMIT_CODES.input);
  }
  return null;
}

const isConnection = (typeName: string) => typeName.endsWith("Connection");

/**
 * The first input of this operation past its bounds, or a cursor its connection could not have
 * handed out, as a refusal; null when all is within bounds (or the operation is invalid, which
 * execution reports itself).
 */
export function findInputProblem(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
): GraphQLError | null {
  const executed = executedOperation(schema, document, operationName, rawVariables);
  if (!executed) return null;
  const { operation, rootType, variables, fragments } = executed;

  const inSelection = (parentType: GraphQLCompositeType, selectionSet: SelectionSetNode, seen: ReadonlySet<string>): GraphQLError | null => {
    for (const selection of selectionSet.selections) {
      let problem: GraphQLError | null = null;
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        if (type && isCompositeType(type)) problem = inSelection(type, selection.selectionSet, seen);
      } else if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const name = selection.name.value;
        const fragment = fragments.get(name);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && type && isCompositeType(type) && !seen.has(name)) problem = inSelection(type, fragment.selectionSet, new Set([...seen, name]));
      } else {
        const name = selection.name.value;
        if (name.startsWith("__") || !(isObjectType(parentType) || isInterfaceType(parentType))) continue;
        const field = parentType.getFields()[name];
        if (!field) continue; // validation already refused unknown fields
        const coordinate = `${parentType.name}.${name}`;
        let args: Record<string, unknown>;
        try {
          args = getArgumentValues(field, selection, variables);
        } catch {
          continue; // execution reports the bad argument
        }
        for (const arg of field.args) {
          problem = checkValue(args[arg.name], arg.type, boundsOf(arg), `${coordinate}(${arg.name}:)`);
          if (problem) return problem;
        }
        const named = getNamedType(field.type);
        if (isConnection(named.name) && !isListType(getNullableType(field.type))) {
          for (const side of ["after", "before"] as const) {
            const cursor = args[side];
            if (typeof cursor !== "string") continue;
            try {
              checkConnectionCursor(field.extensions, args, cursor, side);
            } catch (error) {
              if (!(error instanceof InvalidCursor)) throw error;
              return refusal(`${coordinate}(${side}:) is not a cursor this connection handed out: ${error.message}`, INPUT_LIMIT_CODES.cursor);
            }
          }
        }
        if (selection.selectionSet && isCompositeType(named)) problem = inSelection(named, selection.selectionSet, seen);
      }
      if (problem) return problem;
    }
    return null;
  };
  return inSelection(rootType, operation.selectionSet, new Set());
}

/** Variables over SIMGATE_MAX_VARIABLES_BYTES, refused before parsing (HTTP requests and graphql-ws messages alike). */
export function variablesProblem(variables: unknown, limits: InputLimits): GraphQLError | null {
  const bytes = variablesBytes(variables);
  if (bytes <= limits.variablesBytes) return null;
  const found = Number.isFinite(bytes) ? `${formatted(bytes)} bytes` : "too deeply nested to measure";
  return refusal(`The request's variables are at most ${formatted(limits.variablesBytes)} bytes (as JSON); found ${found}.`, INPUT_LIMIT_CODES.variables);
}

const inputPasses = new VariableFreeAnswers<GraphQLError | null>((problem) => problem === null);

function checkInput({ args, setResultAndStopExecution }: OperationStart): void {
  const problem = inputPasses.get(args.schema, args.document, args.operationName, () =>
    findInputProblem(args.schema, args.document, args.operationName, args.variableValues as Record<string, unknown>),
  );
  if (problem) setResultAndStopExecution({ errors: [problem] });
}

/** Refuses (HTTP 400) oversized variables, over-long lists and strings, and damaged cursors. */
export function useInputLimits(limits: InputLimits): Plugin {
  return {
    onParams({ params, setResult }) {
      const problem = variablesProblem(params.variables, limits);
      if (problem) setResult({ errors: [problem] });
    },
    onExecute: (start) => checkInput(start),
    onSubscribe: (start) => checkInput(start),
  };
}
