// The request's variables coerced to the operation's types, once per request: the input and cost
// checks both need them, and coercing thousands of input objects is not free.
import { getVariableValues, type GraphQLSchema, type OperationDefinitionNode } from "graphql";

type Coerced = ReturnType<typeof getVariableValues>;

const cache = new WeakMap<object, WeakMap<OperationDefinitionNode, Coerced>>();

export function coercedVariables(
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  raw: Record<string, unknown> | null | undefined,
): Coerced {
  if (!raw) return getVariableValues(schema, operation.variableDefinitions ?? [], {}, { maxErrors: 1 });
  let byOperation = cache.get(raw);
  if (!byOperation) cache.set(raw, (byOperation = new WeakMap()));
  let coerced = byOperation.get(operation);
  if (!coerced) byOperation.set(operation, (coerced = getVariableValues(schema, operation.variableDefinitions ?? [], raw, { maxErrors: 1 })));
  return coerced;
}
