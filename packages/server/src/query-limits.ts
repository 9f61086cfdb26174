// What one GraphQL document may ask of the server, checked before anything runs.
// Depth, aliases, tokens and directives use GraphQL Armor's counting (parse and validation); the
// cost analysis and the page-size rules are ours because they need the variables' values, which
// only exist at execution: they run in `onExecute`, before the first resolver. Every refusal has
// an `extensions.code`, HTTP 400, and a message naming the limit and the value found; every
// response reports the limits and the document's cost in `extensions`.
import {
  getArgumentValues,
  getIntrospectionQuery,
  getOperationAST,
  parse,
  getNamedType,
  getNullableType,
  GraphQLError,
  isAbstractType,
  isCompositeType,
  isEnumType,
  isInputObjectType,
  isListType,
  isObjectType,
  isInterfaceType,
  Kind,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type DocumentNode,
  type ExecutionResult,
  type GraphQLCompositeType,
  type GraphQLField,
  type GraphQLSchema,
  type SelectionSetNode,
  type ValidationContext,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import { maxAliasesRule } from "@escape.tech/graphql-armor-max-aliases";
import { maxDepthRule } from "@escape.tech/graphql-armor-max-depth";
import { maxDirectivesRule } from "@escape.tech/graphql-armor-max-directives";
import { maxTokensPlugin } from "@escape.tech/graphql-armor-max-tokens";
import type { Config } from "./config.ts";
import { executedOperation, VariableFreeAnswers } from "./coerced-variables.ts";

export interface QueryLimits {
  depth: number;
  aliases: number;
  tokens: number;
  directives: number;
  cost: number;
  /** Largest `first`/`last` on a connection. */
  pageSize: number;
  /** Largest `first`/`last` on a bulk admin path (BULK_ADMIN_PATHS). */
  bulkPageSize: number;
}

export function queryLimitsFrom(config: Config): QueryLimits {
  return {
    depth: config.SIMGATE_MAX_QUERY_DEPTH,
    aliases: config.SIMGATE_MAX_ALIASES,
    tokens: config.SIMGATE_MAX_TOKENS,
    directives: config.SIMGATE_MAX_DIRECTIVES,
    cost: config.SIMGATE_MAX_QUERY_COST,
    pageSize: config.SIMGATE_MAX_PAGE_SIZE,
    bulkPageSize: config.SIMGATE_MAX_BULK_PAGE_SIZE,
  };
}

/**
 * Fields that read in bulk: their `first`/`last` may go up to bulkPageSize. The administrator has
 * no connection (no viewer); `adminOutbox` is its one sized list (its resolver also stops at
 * 1,000). An operator's event log is read to catch up after an outage (V2), 1,000 events a page
 * (the query cost still bounds what each event may select). Other operator connections stay at
 * pageSize, like GitHub's and Shopify's APIs.
 */
export const BULK_ADMIN_PATHS: ReadonlySet<string> = new Set(["Query.adminOutbox", "Operator.events"]);

/** A list whose size nothing states (e.g. `Sim.tags`) counts as this many items. */
export const UNSIZED_LIST_FACTOR = 10;

export const QUERY_LIMIT_CODES = {
  depth: "QUERY_DEPTH_EXCEEDED",
  aliases: "QUERY_ALIASES_EXCEEDED",
  tokens: "QUERY_TOKENS_EXCEEDED",
  directives: "QUERY_DIRECTIVES_EXCEEDED",
  cost: "QUERY_COST_EXCEEDED",
  pageRequired: "CONNECTION_LIMIT_REQUIRED",
  pageExceeded: "CONNECTION_LIMIT_EXCEEDED",
  pageNegative: "CONNECTION_LIMIT_INVALID",
} as const;

const OUR_CODES: ReadonlySet<string> = new Set(Object.values(QUERY_LIMIT_CODES));

function refusal(message: string, code: string): GraphQLError {
  // yoga answers with extensions.http.status and strips `http` from the body. `spec: false`: 400
  // also for `Accept: application/json` clients, which yoga otherwise answers 200 on validation errors.
  return new GraphQLError(message, { extensions: { code, http: { status: 400, spec: false } } });
}

export interface CostAnalysis {
  cost: number;
  errors: GraphQLError[];
}

const isConnection = (typeName: string) => typeName.endsWith("Connection");

const listSizes = new WeakMap<GraphQLSchema, ReadonlyMap<string, number>>();

/**
 * How many items each introspection list holds in this schema: `__Schema.types` all its types,
 * the per-type and per-field lists their average over all types (or fields), so that a full
 * introspection costs about what it returns (types × average fields = the schema's fields): one
 * passes the cost limit, a handful of aliased copies do not. Averages are fractional; the total
 * is rounded up.
 */
export function introspectionListSizes(schema: GraphQLSchema): ReadonlyMap<string, number> {
  const cached = listSizes.get(schema);
  if (cached) return cached;
  const types = Object.values(schema.getTypeMap());
  const average = (counts: number[]) => (counts.length === 0 ? 0 : counts.reduce((a, b) => a + b, 0) / counts.length);
  const fields = types.flatMap((t) => (isObjectType(t) || isInterfaceType(t) ? Object.values(t.getFields()) : []));
  const directives = schema.getDirectives();
  const sizes = new Map<string, number>([
    ["__Schema.types", types.length],
    ["__Schema.directives", directives.length],
    ["__Type.fields", average(types.map((t) => (isObjectType(t) || isInterfaceType(t) ? Object.keys(t.getFields()).length : 0)))],
    ["__Type.inputFields", average(types.map((t) => (isInputObjectType(t) ? Object.keys(t.getFields()).length : 0)))],
    ["__Type.enumValues", average(types.map((t) => (isEnumType(t) ? t.getValues().length : 0)))],
    ["__Type.interfaces", average(types.map((t) => (isObjectType(t) || isInterfaceType(t) ? t.getInterfaces().length : 0)))],
    ["__Type.possibleTypes", average(types.map((t) => (isAbstractType(t) ? schema.getPossibleTypes(t).length : 0)))],
    ["__Field.args", average(fields.map((f) => f.args.length))],
    ["__Directive.args", average(directives.map((d) => d.args.length))],
  ]);
  listSizes.set(schema, sizes);
  return sizes;
}
const introspectionCosts = new WeakMap<GraphQLSchema, number>();

/** What GraphiQL's introspection query (every option on) costs against this schema. */
export function fullIntrospectionCost(schema: GraphQLSchema, limits: Pick<QueryLimits, "pageSize" | "bulkPageSize">): number {
  let cost = introspectionCosts.get(schema);
  if (cost === undefined) {
    const query = parse(getIntrospectionQuery({ descriptions: true, directiveIsRepeatable: true, schemaDescription: true, inputValueDeprecation: true, specifiedByUrl: true }));
    cost = analyzeCost(schema, query, null, {}, limits)?.cost ?? 0;
    introspectionCosts.set(schema, cost);
  }
  return cost;
}

/** Whether the operation's root selections are only `__schema`, `__type` and `__typename`. */
function isIntrospectionOnly(document: DocumentNode, operationName: string | null | undefined): boolean {
  const operation = getOperationAST(document, operationName);
  return !!operation && operation.selectionSet.selections.every((s) => s.kind === Kind.FIELD && s.name.value.startsWith("__"));
}

const PAGE_ARGS = ["first", "last"] as const;

/**
 * Cost of one operation with its variables: every field costs 1; an object field's selection
 * counts once per item it may return: a connection's `edges`/`nodes` by its `first`/`last`, a
 * list by its `first` or its `ids`, an introspection list by the schema's size
 * (introspectionListSizes), other lists by UNSIZED_LIST_FACTOR. Scalars, scalar lists and
 * `__typename` cost 1. Fragments on abstract types are
 * all added (an upper bound). Also checks `first`/`last` on connections and bulk paths.
 */
export function analyzeCost(
  schema: GraphQLSchema,
  document: DocumentNode,
  operationName: string | null | undefined,
  rawVariables: Record<string, unknown> | null | undefined,
  limits: Pick<QueryLimits, "pageSize" | "bulkPageSize">,
): CostAnalysis | null {
  // Bad variables: execution refuses them with its own message; nothing runs either way.
  const executed = executedOperation(schema, document, operationName, rawVariables);
  if (!executed) return null;
  const { operation, rootType, variables, fragments } = executed;
  const errors: GraphQLError[] = [];
  const introspection = introspectionListSizes(schema);

  const argumentsOf = (field: GraphQLField<unknown, unknown>, node: Parameters<typeof getArgumentValues>[1]) => {
    try {
      return getArgumentValues(field, node, variables);
    } catch {
      return null; // execution reports the bad argument
    }
  };

  const selectionCost = (parentType: GraphQLCompositeType, selectionSet: SelectionSetNode, pageSize: number | null): number => {
    let total = 0;
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? schema.getType(selection.typeCondition.name.value) : parentType;
        if (type && isCompositeType(type)) total += selectionCost(type, selection.selectionSet, pageSize);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        const type = fragment && schema.getType(fragment.typeCondition.name.value);
        if (fragment && type && isCompositeType(type)) total += selectionCost(type, fragment.selectionSet, pageSize);
        continue;
      }
      const name = selection.name.value;
      if (name === "__typename" || !(isObjectType(parentType) || isInterfaceType(parentType))) {
        total += 1;
        continue;
      }
      const field = name === "__schema" ? SchemaMetaFieldDef : name === "__type" ? TypeMetaFieldDef : parentType.getFields()[name];
      if (!field) continue; // validation already refused unknown fields
      const returnType = getNullableType(field.type);
      const namedType = getNamedType(field.type);
      if (!isCompositeType(namedType) || !selection.selectionSet) {
        total += 1;
        continue;
      }
      const coordinate = `${parentType.name}.${name}`;
      const known = argumentsOf(field, selection);
      const args = known ?? {};
      const sizes = PAGE_ARGS.filter((a) => typeof args[a] === "number").map((a) => ({ arg: a, value: args[a] as number }));
      const cap = BULK_ADMIN_PATHS.has(coordinate) ? limits.bulkPageSize : limits.pageSize;
      const connection = isConnection(namedType.name) && !isListType(returnType);
      if (connection && known && sizes.length === 0) {
        errors.push(
          refusal(`${coordinate} needs \`first\` or \`last\` (1 to ${cap}); found neither.`, QUERY_LIMIT_CODES.pageRequired),
        );
      }
      for (const { arg, value } of sizes) {
        if ((connection || BULK_ADMIN_PATHS.has(coordinate) || isListType(returnType)) && value < 0) {
          errors.push(refusal(`${coordinate}(${arg}:) cannot be negative; found ${value}.`, QUERY_LIMIT_CODES.pageNegative));
        }
        if ((connection || BULK_ADMIN_PATHS.has(coordinate) || isListType(returnType)) && value > cap) {
          errors.push(refusal(`${coordinate}(${arg}:) is at most ${cap}; found ${value}.`, QUERY_LIMIT_CODES.pageExceeded));
        }
      }
      const stated = sizes.length > 0 ? Math.max(0, Math.min(...sizes.map((s) => s.value))) : null;
      let items = 1;
      let childPageSize: number | null = null;
      if (connection) {
        childPageSize = stated ?? cap; // missing size is refused above; cost it at the cap meanwhile
      } else if (isListType(returnType)) {
        const ids = Array.isArray(args.ids) ? args.ids.length : null;
        items =
          (pageSize !== null && (name === "edges" || name === "nodes") ? pageSize : null) ??
          stated ??
          ids ??
          introspection.get(coordinate) ??
          UNSIZED_LIST_FACTOR;
      }
      total += 1 + items * selectionCost(namedType, selection.selectionSet, childPageSize);
    }
    return total;
  };

  const cost = Math.ceil(selectionCost(rootType, operation.selectionSet, null));
  return { cost, errors };
}

/** What onExecute and onSubscribe both hand a plugin: the operation about to run, and a way to refuse it. */
export interface OperationStart {
  args: { schema: GraphQLSchema; document: DocumentNode; operationName?: string | null; variableValues?: unknown; contextValue: unknown };
  setResultAndStopExecution(result: ExecutionResult): void;
}

function rejectWith(code: string) {
  // Armor's own error reads "Syntax Error: …" and has no code: report ours instead.
  return [
    (context: ValidationContext | null, error: GraphQLError) => {
      const message = error.message.replace(/^Syntax Error: /, "");
      const ours = refusal(message, code);
      if (context) context.reportError(ours);
      else throw ours; // max-tokens rejects while parsing: no validation context
    },
  ];
}

/** The yoga plugins enforcing `limits`; each response gets `extensions.limits` and `extensions.cost`. */
export function useQueryLimits(limits: QueryLimits): Plugin[] {
  const costs = new WeakMap<Request, number>();
  const reported = {
    depth: limits.depth,
    aliases: limits.aliases,
    tokens: limits.tokens,
    directives: limits.directives,
    cost: limits.cost,
    pageSize: limits.pageSize,
    bulkPageSize: limits.bulkPageSize,
  };
  // The rules are made once: a request whose document yoga has validated before adds them unused.
  const shared = { propagateOnRejection: false, exposeLimits: true };
  const rules = [
    maxDepthRule({ ...shared, n: limits.depth, onReject: rejectWith(QUERY_LIMIT_CODES.depth) }),
    maxAliasesRule({ ...shared, n: limits.aliases, onReject: rejectWith(QUERY_LIMIT_CODES.aliases) }),
    maxDirectivesRule({ ...shared, n: limits.directives, onReject: rejectWith(QUERY_LIMIT_CODES.directives) }),
  ];
  const armor: Plugin = {
    onValidate({ addValidationRule }) {
      for (const rule of rules) addValidationRule(rule);
    },
  };
  const tokens = maxTokensPlugin({
    n: limits.tokens,
    exposeLimits: true,
    propagateOnRejection: false,
    onReject: rejectWith(QUERY_LIMIT_CODES.tokens),
  }) as Plugin;
  // Subscriptions (SSE, graphql-ws) are costed like queries, once, when they start.
  const analyses = new VariableFreeAnswers<CostAnalysis | null>((analysis) => analysis !== null && analysis.errors.length === 0);
  const checkCost = ({ args, setResultAndStopExecution }: OperationStart) => {
      const analysis = analyses.get(args.schema, args.document, args.operationName, () =>
        analyzeCost(args.schema, args.document, args.operationName, args.variableValues as Record<string, unknown>, limits),
      );
      if (!analysis) return;
      const request = (args.contextValue as { request?: Request }).request;
      if (request) costs.set(request, analysis.cost);
      const errors = [...analysis.errors];
      // The schema's own introspection grows with the schema: an operation asking only for it may
      // cost one full introspection (what GraphiQL sends), so explorers keep working as types are
      // added while two aliased copies stay refused.
      const limit = isIntrospectionOnly(args.document, args.operationName) ? Math.max(limits.cost, fullIntrospectionCost(args.schema, limits)) : limits.cost;
      if (analysis.cost > limit) {
        errors.push(
          refusal(`Query cost limit of ${limit} exceeded, found ${analysis.cost}. Ask for fewer items (first/last) or fewer fields.`, QUERY_LIMIT_CODES.cost),
        );
      }
      if (errors.length > 0) setResultAndStopExecution({ errors });
  };
  const cost: Plugin = {
    onExecute: checkCost,
    onSubscribe: checkCost,
    onResultProcess({ request, result, setResult }) {
      const requested = costs.get(request) ?? null;
      // yoga marks every parse error `spec` (200 for Accept: application/json), also the token
      // limit's: our refusals answer 400 whatever the client accepts.
      for (const one of Array.isArray(result) ? result : [result]) {
        for (const error of (one as ExecutionResult | null)?.errors ?? []) {
          const http = error.extensions?.http as { spec?: boolean } | undefined;
          if (http && OUR_CODES.has(error.extensions.code as string)) http.spec = false;
        }
      }
      const withLimits = (one: ExecutionResult): ExecutionResult => ({
        ...one,
        extensions: { ...one.extensions, limits: reported, cost: { requested, limit: limits.cost } },
      });
      if (Array.isArray(result)) setResult(result.map(withLimits));
      else if (result && typeof result === "object" && !(Symbol.asyncIterator in result)) setResult(withLimits(result as ExecutionResult));
    },
  };
  // "Did you mean …" is hidden in production for every error, not only fields: schema-exposure.ts.
  return [tokens, armor, cost];
}
