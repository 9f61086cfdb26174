// Turns a request's Authorization header into the resolver context: the viewer (O3), or the
// administrator (O5), or nobody.
import { createHash, timingSafeEqual } from "node:crypto";
import { viewerForToken } from "@simgate/schema/auth/sessions";
import type { Context, Settings, Viewer } from "@simgate/schema/context";
import type { Db, Provider } from "@simgate/schema/db/database";
import { tenantDb } from "@simgate/schema/db/tenant";
import type { Clock } from "@simgate/schema/domain/clock";

export interface ContextDeps {
  db: Db;
  provider: Provider;
  settings: Settings;
  clock: Clock;
  adminSecret: string | undefined;
}

function sameSecret(given: string, expected: string): boolean {
  const digest = (s: string) => createHash("sha256").update(s).digest();
  return timingSafeEqual(digest(given), digest(expected));
}

export function bearerOf(request: Request): string | null {
  const header = request.headers.get("authorization");
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1] ?? null;
}

/** The administrator (O5), a signed-in operator (O3), or nobody: one reading of the bearer for every use. */
async function identify(deps: Pick<ContextDeps, "db" | "clock" | "adminSecret">, request: Request): Promise<{ isAdmin: boolean; viewer: Viewer | null }> {
  const bearer = bearerOf(request);
  if (bearer === null) return { isAdmin: false, viewer: null };
  if (deps.adminSecret !== undefined && sameSecret(bearer, deps.adminSecret)) return { isAdmin: true, viewer: null };
  return { isAdmin: false, viewer: await viewerForToken(deps.db, bearer, deps.clock.now()) };
}

/** Who a request says it is, without building a context. */
export async function callerOf(deps: Pick<ContextDeps, "db" | "clock" | "adminSecret">, request: Request): Promise<"admin" | "operator" | null> {
  const { isAdmin, viewer } = await identify(deps, request);
  return isAdmin ? "admin" : viewer ? "operator" : null;
}

export async function buildContext(deps: ContextDeps, request: Request, requestId: string): Promise<Context> {
  const { isAdmin, viewer } = await identify(deps, request);
  // The tenant client is made when a resolver first asks for it: many requests (the SIM listing,
  // sign-in) never do, and a Prisma extension costs time to build.
  let db: Db | undefined;
  return {
    requestId,
    get db() {
      return (db ??= tenantDb(deps.db, viewer?.id ?? null));
    },
    set db(replacement: Db) {
      db = replacement;
    },
    unscopedDb: deps.db,
    provider: deps.provider,
    viewer,
    isAdmin,
    settings: deps.settings,
    clock: deps.clock,
  };
}
