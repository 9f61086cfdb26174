// Turns the request's resolved identity (caller-identity.ts) into the resolver context: the viewer
// (O3), or the administrator (O5), or nobody. The identity is fixed for the whole request: signing
// in inside a document returns a token and changes nothing else.
import type { Context, Settings } from "@simgate/schema/context";
import type { Db, Provider } from "@simgate/schema/db/database";
import { viewerDb } from "@simgate/schema/auth/access";
import type { Clock } from "@simgate/schema/domain/clock";
import type { LiveEventsSupport } from "@simgate/schema/events/live";
import type { Identity } from "./caller-identity.ts";

export interface ContextDeps {
  db: Db;
  provider: Provider;
  settings: Settings;
  clock: Clock;
  /** V4: present when the server serves subscriptions (event-wakeups.ts). */
  live?: LiveEventsSupport;
}

export function buildContext(deps: ContextDeps, identity: Identity, requestId: string): Context {
  const { isAdmin, viewer, refresh } = identity;
  // The tenant client is made when a resolver first asks for it: many requests (the SIM listing,
  // sign-in) never do, and a Prisma extension costs time to build.
  let db: Db | undefined;
  return {
    requestId,
    get db() {
      return (db ??= viewerDb(deps.db, viewer));
    },
    set db(client: Db) {
      db = client;
    },
    unscopedDb: deps.db,
    provider: deps.provider,
    viewer,
    isAdmin,
    clientIp: identity.clientIp,
    settings: deps.settings,
    clock: deps.clock,
    live: deps.live,
    refreshViewer: refresh,
  };
}

/**
 * Puts the context on yoga's initial context itself, its `db` getter included, and returns nothing
 * more to merge: envelop merges a returned context with Object.assign, which would read the getter
 * and so build the tenant client on every request, even those that never ask for it.
 */
export function contextOnto<T extends object>(initial: T, context: Context): Record<string, never> {
  // Plain properties are assigned (defining them all as descriptors costs more per request); the
  // getter alone is copied as one.
  const target = initial as Record<string, unknown>;
  const source = context as unknown as Record<string, unknown>;
  for (const key of Object.keys(context)) if (key !== "db") target[key] = source[key];
  Object.defineProperty(initial, "db", Object.getOwnPropertyDescriptor(context, "db")!);
  return {};
}
