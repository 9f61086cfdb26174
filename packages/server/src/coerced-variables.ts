// The request's variables coerced to the operation's types, once per request: the input and cost
// checks both need them, and coercing thousands of input objects is not free.
import {
  getOperationAST,
  getVariableValues,
  Kind,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
} from "graphql";

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

/** A document's fragments by name. */
export function fragmentsOf(document: DocumentNode): Map<string, FragmentDefinitionNode> {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  return fragments;
}

export interface ExecutedOperation {
  operation: OperationDefinitionNode;
  rootType: GraphQLObjectType;
  variables: Record<string, unknown>;
  fragments: Map<string, FragmentDefinitionNode>;
}

/**
 * The operation execution will run, with its coerced variables; null when execution would refuse
 * it on its own (no such operation, bad variables), so checks before execution leave that to it.
 */
export function executedOperation(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
): ExecutedOperation | null {
  const operation = getOperationAST(document, operationName);
  if (!operation) return null;
  const coerced = coercedVariables(schema, operation, rawVariables);
  if (coerced.errors) return null;
  const rootType = schema.getRootType(operation.operation);
  if (!rootType) return null;
  return { operation, rootType, variables: coerced.coerced, fragments: fragmentsOf(document) };
}

/**
 * A check's answer for the operations that declare no variables, kept per schema, document and
 * operation name: such an answer is the same on every request, and yoga hands the same parsed
 * document to every request that sends the same text (its parse cache). Only answers `keep`
 * accepts are kept (the checks keep their passes; refusals are built afresh for each request).
 * An operation with variables is checked on every request.
 */
export class VariableFreeAnswers<T> {
  private readonly bySchema = new WeakMap<GraphQLSchema, WeakMap<DocumentNode, Map<string, T>>>();

  constructor(private readonly keep: (answer: T) => boolean) {}

  get(schema: GraphQLSchema, document: DocumentNode, operationName: string | null | undefined, compute: () => T): T {
    const operation = getOperationAST(document, operationName);
    if (!operation || (operation.variableDefinitions?.length ?? 0) > 0) return compute();
    let byDocument = this.bySchema.get(schema);
    if (!byDocument) this.bySchema.set(schema, (byDocument = new WeakMap()));
    let byName = byDocument.get(document);
    if (!byName) byDocument.set(document, (byName = new Map()));
    const name = operationName ?? "";
    const known = byName.get(name);
    if (known !== undefined) return known;
    const answer = compute();
    // Operation names come from the request: only as many as the document has operations are kept.
    if (this.keep(answer) && byName.size < document.definitions.length) byName.set(name, answer);
    return answer;
  }
}
