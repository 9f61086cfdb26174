// Queries and mutations that keep coming back run as JavaScript compiled for their document
// (graphql-jit), instead of graphql-js's executor walking the document again for every field of
// every row. On the SIM listing this saves about a fifth of a read's server CPU (bench/RESULTS.md,
// "Reads: compiled execution").
//
// What runs compiled, and why only that:
// - A document on its SIMGATE_COMPILE_AFTER_RUNS-th execution, not before (0: never). Compiling
//   costs far more than one run (about 1 ms for the listing's document, 30 ms for one of 700
//   tokens, all on the event loop), so a document a client sends now and then is never compiled,
//   and a client sending new documents cannot make the server compile on every request: at most
//   one compilation per that many executions. Counts and compiled code are kept on the parsed
//   document, which yoga's parse cache hands to every request with the same text, and which is
//   dropped (with them) when that bounded cache lets it go.
// - Per operation: a document may hold several, each compiled for itself.
// - Only when the request's variables coerce: graphql-js refuses the others before executing, with
//   HTTP 400 and its messages; graphql-jit would answer them 200 with messages of its own. Where
//   graphql-jit's own coercion refuses what graphql-js accepted, the request and every later one of
//   that operation run interpreted.
// - No document with a directive (@skip, @include): graphql-jit has known wrong answers for those
//   in fragments, and its fix for them compiles slowly. Nor one with an alias or a variable named
//   like a property every object inherits (`__proto__`, `constructor`): graphql-jit writes results
//   and variables into plain objects, so such a key loses its value or its place. They run
//   interpreted.
// - Never subscriptions: they stay on yoga's executor (replay, then live).
import { compileQuery, isCompiledQuery, type CompiledQuery } from "graphql-jit";
import { BREAK, getOperationAST, GraphQLError, visit, type DocumentNode, type ExecutionResult, type GraphQLSchema, type Source } from "graphql";
import type { Plugin } from "graphql-yoga";
import { coercedVariables } from "./coerced-variables.ts";

const isPromise = (value: unknown): value is Promise<unknown> => typeof (value as { then?: unknown } | null)?.then === "function";

/**
 * graphql-jit's errors carry `locations` alone, and yoga rebuilds every error from its `source`
 * and `positions` before answering, which would drop them: rebuilt here as graphql-js builds them.
 */
function located(result: ExecutionResult, source: Source | undefined): ExecutionResult {
  if (!result.errors?.length || !source) return result;
  const lineStarts = [0];
  for (const match of source.body.matchAll(/\r\n|[\n\r]/g)) lineStarts.push(match.index + match[0].length);
  const errors = result.errors.map((error) => {
    const positions = error.locations?.map(({ line, column }) => (lineStarts[line - 1] ?? 0) + column - 1);
    return new GraphQLError(error.message, { source, positions, path: error.path, originalError: error.originalError, extensions: error.extensions });
  });
  return { ...result, errors };
}

interface DocumentState {
  runs: number;
  /** By operation name ("" for the document's only operation); null: could not be compiled. */
  compiled: Map<string, CompiledQuery | null>;
}

export interface CompiledExecutionOptions {
  /** The execution of one document on which it is compiled (0: never). */
  afterRuns: number;
  /** Called with each compilation's duration in seconds (metrics). */
  onCompiled?: (seconds: number) => void;
}

/** Names every object inherits (`__proto__`, `constructor`, `toString` …). */
const INHERITED = new Set(Object.getOwnPropertyNames(Object.prototype));

/** What graphql-jit is known to answer wrongly: see the list at the top of this file. */
function runsInterpretedOnly(document: DocumentNode): boolean {
  let found = false;
  const stop = () => {
    found = true;
    return BREAK;
  };
  visit(document, {
    Directive: stop,
    Field: (field) => (INHERITED.has(field.alias?.value ?? field.name.value) ? stop() : undefined),
    VariableDefinition: (definition) => (INHERITED.has(definition.variable.name.value) ? stop() : undefined),
  });
  return found;
}

export function useCompiledExecution(options: CompiledExecutionOptions): Plugin {
  const states = new WeakMap<DocumentNode, DocumentState | null>();
  const compile = (schema: GraphQLSchema, document: DocumentNode, operationName: string | undefined): CompiledQuery | null => {
    const started = process.hrtime.bigint();
    const result = compileQuery(schema, document, operationName);
    options.onCompiled?.(Number(process.hrtime.bigint() - started) / 1e9);
    return isCompiledQuery(result) ? result : null;
  };
  return {
    onExecute({ args, executeFn, setExecuteFn }) {
      if (options.afterRuns === 0) return;
      let known = states.get(args.document);
      if (known === undefined) {
        known = runsInterpretedOnly(args.document) ? null : { runs: 0, compiled: new Map() };
        states.set(args.document, known);
      }
      if (known === null) return;
      const state = known;
      const operation = getOperationAST(args.document, args.operationName);
      if (!operation || operation.operation === "subscription") return;
      // Coerced once per request, shared with the input and cost checks (coerced-variables.ts).
      if (coercedVariables(args.schema, operation, args.variableValues as Record<string, unknown> | undefined).errors) return;
      state.runs += 1;
      if (state.runs < options.afterRuns) return;
      const key = args.operationName ?? "";
      let compiled = state.compiled.get(key);
      if (compiled === undefined) {
        compiled = compile(args.schema, args.document, args.operationName ?? undefined);
        state.compiled.set(key, compiled);
      }
      if (!compiled) return;
      const query = compiled;
      const source = args.document.loc?.source;
      setExecuteFn((run) => {
        const result = query.query(run.rootValue, run.contextValue, run.variableValues) as ExecutionResult | Promise<ExecutionResult>;
        if (isPromise(result)) return result.then((done) => located(done, source));
        if ("data" in result) return located(result, source);
        // graphql-jit refused variables graphql-js accepted (it does not apply the default of a
        // required input field the request left out): no resolver ran. The operation runs
        // interpreted from now on, this request included.
        state.compiled.set(key, null);
        return executeFn(run);
      });
    },
  };
}
