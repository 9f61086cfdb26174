// Item 2: rate limiting, decided before execution so a refused operation runs nothing (no audit,
// no account, no mail, no password check). Three budgets per window (SIMGATE_RATE_LIMIT_*):
//  - per client IP and public mutation (authenticate, signUp, requestAccountRecovery,
//    verifyEmailAddress): brute force and sign-up spam;
//  - per target account for `authenticate` with an email: failed sign-ins, counted before the
//    password is checked (a correct password gives its point back), so the attempt after the limit
//    is refused even with the right password, from any number of addresses;
//  - per signed-in user or auth key (not per token: minting tokens does not buy budget): every
//    operation of an authenticated caller. The administrator is exempt.
// Every root field counts, aliases included, so ten `authenticate`s in one document are ten
// attempts. Counters live in the database (rate-limit-store.ts), shared by all instances.
import type { IncomingMessage } from "node:http";
import { getOperationAST, GraphQLError, Kind, valueFromASTUntyped, type DocumentNode, type FieldNode, type FragmentDefinitionNode, type SelectionSetNode } from "graphql";
import type { Plugin } from "graphql-yoga";
import type { Context } from "@simgate/schema/context";
import { normalizeEmail } from "@simgate/schema/domain/email-address";
import { BatchedBudget, counterKey, type RateLimitStore } from "./rate-limit-store.ts";

export interface RateLimits {
  windowMs: number;
  /** Per client IP, per window, for each public mutation; 0 turns it off. */
  perIp: number;
  /** Failed `authenticate` attempts per email, per window; 0 turns it off. */
  perAccount: number;
  /** Operations per signed-in user or auth key, per window; 0 turns it off. */
  perClient: number;
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
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
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

/** The email an `authenticate` field names, from a literal or variables; null for auth keys or nonsense. */
function emailOf(field: FieldNode, variables: Record<string, unknown> | undefined): string | null {
  const input = field.arguments?.find((a) => a.name.value === "input");
  if (!input) return null;
  const value = valueFromASTUntyped(input.value, variables ?? {}) as unknown;
  const email = value && typeof value === "object" ? (value as { email?: unknown }).email : undefined;
  return typeof email === "string" && email.length <= 254 ? normalizeEmail(email) : null;
}

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
        passwordAccepted: (email) => store.refund(counterKey("account", normalizeEmail(email))),
      };
      extendContext({ signInGuard } as object);
    },

    async onExecute({ args, setResultAndStopExecution }) {
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
      if (operation?.operation === "mutation" && (limits.perIp > 0 || limits.perAccount > 0)) {
        let ip: string | undefined;
        for (const field of rootFields(args.document, operation.selectionSet)) {
          const name = field.name.value;
          if (!PUBLIC_MUTATIONS.has(name)) continue;
          if (limits.perIp > 0) add(counterKey(`ip:${name}`, (ip ??= clientIp(context, limits.trustProxy))), limits.perIp);
          if (name === "authenticate" && limits.perAccount > 0) {
            const email = emailOf(field, args.variableValues as Record<string, unknown> | undefined);
            if (email) add(counterKey("account", email), limits.perAccount);
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
    },
  };
}
