// Rate limiting, decided before execution so a refused operation runs nothing (no audit, no
// account, no mail, no password check). Budgets per window (SIMGATE_RATE_LIMIT_*):
//  - per client IP and public mutation (authenticate, signUp, requestAccountRecovery,
//    verifyEmailAddress): brute force and sign-up spam;
//  - per target account for `authenticate` with an email, or with operator ID + user name (U2:
//    users count like the root user): failed sign-ins, counted before the
//    password is checked (a correct password gives its point back), so the attempt after the limit
//    is refused even with the right password, from any number of addresses; and per operator for
//    `createAuthKey` with a re-entered password (a stolen token cannot guess the password);
//  - per client IP for every operation of a caller without a valid bearer (anonymous);
//  - per signed-in user or auth key (not per token: minting tokens does not buy budget): every
//    operation of an authenticated caller. The administrator is exempt.
// Every root field counts, aliases included, so ten `authenticate`s in one document are ten
// attempts. Arguments are read as execution will see them (variables coerced, defaults applied),
// so no way of writing a document escapes its count. Counters live in the database
// (rate-limit-store.ts), shared by all instances. Failed bearers are limited in caller-identity.ts.
import type { IncomingMessage } from "node:http";
import {
  getArgumentValues,
  getOperationAST,
  GraphQLError,
  Kind,
  type DocumentNode,
  type FieldNode,
  type GraphQLObjectType,
  type SelectionSetNode,
} from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "@simgate/schema/context";
import { signInAccountKey } from "@simgate/schema/domain/user-name";
import { coercedVariables, fragmentsOf } from "./coerced-variables.ts";
import { BatchedBudget, counterKey, type RateLimitStore } from "./rate-limit-store.ts";
import type { OperationStart } from "./query-limits.ts";

export interface RateLimits {
  windowMs: number;
  /** Per client IP, per window, for each public mutation; 0 turns it off. */
  perIp: number;
  /** Failed `authenticate` attempts per account (email, or operator ID + user name), per window; 0 turns it off. */
  perAccount: number;
  /** Operations per signed-in user or auth key, per window; 0 turns it off. */
  perClient: number;
  /** Root fields per client IP of callers without a valid bearer, per window; 0 turns it off. */
  perAnonymousIp: number;
  /** How often an instance adds its per-client hits to the shared counter (BatchedBudget). */
  clientSyncMs: number;
  /** Take the client IP from X-Forwarded-For (its last entry: the address our proxy saw). */
  trustProxy: boolean;
}

export const PUBLIC_MUTATIONS = new Set(["authenticate", "signUp", "requestAccountRecovery", "verifyEmailAddress"]);

/** The key of requests without a socket (app.handle in-process): all of them count as one client. */
export const IN_PROCESS_CLIENT = "in-process";

type ServerContext = Context & { request: Request; req?: IncomingMessage };

export function clientIp(context: { request: Request; req?: IncomingMessage }, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = context.request.headers.get("x-forwarded-for");
    const last = forwarded?.split(",").map((part) => part.trim()).filter(Boolean).at(-1);
    if (last) return last;
  }
  return context.req?.socket?.remoteAddress ?? IN_PROCESS_CLIENT;
}

/** Root fields of the operation as written (fragments followed, @skip/@include ignored: counting more is safe). */
function rootFields(document: DocumentNode, selectionSet: SelectionSetNode): FieldNode[] {
  const fragments = fragmentsOf(document);
  const fields: FieldNode[] = [];
  const seen = new Set<string>();
  const walk = (set: SelectionSetNode) => {
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD) fields.push(selection);
      else if (selection.kind === Kind.INLINE_FRAGMENT) walk(selection.selectionSet);
      else if (!seen.has(selection.name.value)) {
        seen.add(selection.name.value);
        const fragment = fragments.get(selection.name.value);
        if (fragment) walk(fragment.selectionSet);
      }
    }
  };
  walk(selectionSet);
  return fields;
}

/**
 * The field's arguments as execution will see them: variables coerced with their defaults, input
 * object defaults applied (graphql-js, like analyzeCost in query-limits.ts). Null when they do not
 * coerce: execution then refuses the field without running it.
 */
function argumentsOf(rootType: GraphQLObjectType, field: FieldNode, variables: Record<string, unknown> | null): Record<string, unknown> | null {
  const definition = rootType.getFields()[field.name.value];
  if (!definition || !variables) return null;
  try {
    return getArgumentValues(definition, field, variables);
  } catch {
    return null;
  }
}

/** The account an `authenticate` call names (root email, or operator ID + user name, U2); null for auth keys or nonsense. */
function accountOf(args: Record<string, unknown> | null): string | null {
  const input = args?.input as Record<string, unknown> | null | undefined;
  return input ? signInAccountKey(input) : null;
}

/** Whether a `createAuthKey` call re-enters the password (a guess to count). */
const reentersPassword = (args: Record<string, unknown> | null) => typeof (args?.input as { password?: unknown } | null | undefined)?.password === "string";

export function rateLimitedError(retryAfterSeconds: number): GraphQLError {
  return new GraphQLError(`Too many requests: try again in ${retryAfterSeconds} s.`, {
    extensions: {
      code: "RATE_LIMITED",
      retryAfterSeconds,
      // graphql-yoga turns this into the HTTP status and headers, and leaves it out of the body.
      http: { status: 429, headers: { "retry-after": String(retryAfterSeconds) } },
    },
  });
}

export function useRateLimits(store: RateLimitStore, limits: RateLimits, now: () => Date): Plugin {
  const budget = new BatchedBudget(store, { now }, limits.clientSyncMs);
  return {
    onContextBuilding({ extendContext }) {
      if (limits.perAccount === 0) return;
      const signInGuard: NonNullable<Context["signInGuard"]> = {
        passwordAccepted: (account) => store.refund(counterKey("account", account)),
      };
      extendContext({ signInGuard } as object);
    },

    // A subscription counts as one operation, when it starts (SSE or graphql-ws).
    onSubscribe: (start) => countOperation(start),
    onExecute: (start) => countOperation(start),
  };

  async function countOperation({ args, setResultAndStopExecution }: OperationStart): Promise<void> {
    const context = args.contextValue as unknown as ServerContext;
    if (context.isAdmin) return;
    // Points per counter key and the limit it is held to.
    const wanted = new Map<string, { points: number; limit: number; batched: boolean }>();
    const add = (key: string, limit: number, batched = false) => {
      const entry = wanted.get(key) ?? { points: 0, limit, batched };
      entry.points += 1;
      wanted.set(key, entry);
    };
    if (context.viewer && limits.perClient > 0) {
      // Per user sign-in identity or auth key of the operator (O6 actor), whatever token it uses.
      add(counterKey("client", `${context.viewer.id}\n${context.viewer.actor}`), limits.perClient, true);
    }
    const operation = getOperationAST(args.document, args.operationName);
    const rootType = operation && args.schema.getRootType(operation.operation);
    const anonymous = !context.viewer && limits.perAnonymousIp > 0;
    const mutation = operation?.operation === "mutation";
    if (operation && rootType && (anonymous || (mutation && (limits.perIp > 0 || limits.perAccount > 0)))) {
      const coerced = coercedVariables(args.schema, operation, args.variableValues as Record<string, unknown> | undefined);
      const variables = coerced.errors ? null : coerced.coerced;
      let ip: string | undefined;
      const ipOf = () => (ip ??= clientIp(context, limits.trustProxy));
      for (const field of rootFields(args.document, operation.selectionSet)) {
        const name = field.name.value;
        if (anonymous) add(counterKey("anonymous", ipOf()), limits.perAnonymousIp, true);
        if (!mutation) continue;
        if (PUBLIC_MUTATIONS.has(name) && limits.perIp > 0) add(counterKey(`ip:${name}`, ipOf()), limits.perIp);
        if (limits.perAccount === 0) continue;
        if (name === "authenticate") {
          const account = accountOf(argumentsOf(rootType, field, variables));
          if (account) add(counterKey("account", account), limits.perAccount);
        } else if (name === "createAuthKey" && context.viewer && reentersPassword(argumentsOf(rootType, field, variables))) {
          add(counterKey("reauth", context.viewer.id), limits.perAccount);
        }
      }
    }
    if (wanted.size === 0) return;
    let retryAfterMs: number | null = null;
    for (const [key, { points, limit, batched }] of wanted) {
      const hit = await (batched ? budget : store).hit(key, limits.windowMs, points);
      if (hit.points > limit) retryAfterMs = Math.max(retryAfterMs ?? 0, hit.resetAt.getTime() - now().getTime());
    }
    if (retryAfterMs !== null) setResultAndStopExecution({ errors: [rateLimitedError(Math.max(1, Math.ceil(retryAfterMs / 1000)))] });
  }
}
