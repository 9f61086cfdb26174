// Turns the request's resolved identity (caller-identity.ts) into the resolver context: the viewer
// (O3), or the administrator (O5), or nobody. The identity is fixed for the whole request: signing
// in inside a document returns a token and changes nothing else.
import type { Context, Settings } from "@simgate/schema/context";
import type { Db, Provider } from "@simgate/schema/db/database";
import { viewerDb } from "@simgate/schema/auth/access";
import type { Clock } from "@simgate/schema/domain/clock";
import type { Identity } from "./caller-identity.ts";

export interface ContextDeps {
  db: Db;
  provider: Provider;
  settings: Settings;
  clock: Clock;
}

export function buildContext(deps: ContextDeps, identity: Identity, requestId: string): Context {
  const { isAdmin, viewer } = identity;
  // The tenant client is made when a resolver first asks for it: many requests (the SIM listing,
  // sign-in) never do, and a Prisma extension costs time to build.
  let db: Db | undefined;
  return {
    requestId,
    get db() {
      return (db ??= viewerDb(deps.db, viewer));
    },
    unscopedDb: deps.db,
    provider: deps.provider,
    viewer,
    isAdmin,
    clientIp: identity.clientIp,
    settings: deps.settings,
    clock: deps.clock,
  };
}
