// O4, enforced in one place: the client every operator-scoped resolver gets (ctx.db) adds the
// caller's operator to every query of a tenant-owned model. Another operator's row therefore
// looks exactly like a row that does not exist, whatever the resolver asked for.
// U4 narrows the same way: a USER's `Sim:read` scope is added to every Sim read (and to SimTag,
// SimStatusChange and transfer items through their SIM), so a SIM the user may not read is absent
// from `sim`, `node(s)`, payloads and mutations alike, as another operator's SIM is.
import type { Db, Tx } from "./types.ts";
import { matchKey } from "../domain/match-key.ts";
import type { SimPattern, SimScope } from "../domain/permissions.ts";

type Where = Record<string, unknown>;

/** Whose data a client sees: the operator, and (for a USER) the SIMs it may read; null sims = all. */
export interface Tenant {
  operatorId: string;
  sims: SimScope | null;
  /** U5: a USER's ID: its webhook endpoints (and their deliveries) are the only ones it sees; null: all. */
  user?: string | null;
}

function patternWhere(pattern: SimPattern, operatorId: string): Where {
  switch (pattern.kind) {
    case "all":
      return {};
    case "imsi":
      return { imsi: pattern.prefix ? { startsWith: pattern.value } : pattern.value };
    case "tag":
      return { tags: { some: pattern.prefix ? { name: pattern.name, valueKey: { startsWith: matchKey(pattern.value) } } : { name: pattern.name, value: pattern.value } } };
    case "group":
      return { group: { is: { operatorId, name: pattern.name } } };
  }
}

/** U4 as a Prisma condition on Sim: some ALLOW pattern matches and no DENY pattern does. */
export function simScopeWhere(scope: SimScope, operatorId: string): Where {
  if (scope.allow.length === 0) return { id: { in: [] } };
  const allow = { OR: scope.allow.map((p) => patternWhere(p, operatorId)) };
  return scope.deny.length === 0 ? allow : { AND: [allow, { NOT: { OR: scope.deny.map((p) => patternWhere(p, operatorId)) } }] };
}

/** How each tenant-owned model is tied to its operator. Models not listed are not readable. */
const scopes: Record<string, (operatorId: string, sims: Where | null, user: string | null) => Where> = {
  Operator: (id) => ({ id }),
  EmailAddress: (id) => ({ operatorId: id }),
  Session: (id) => ({ operatorId: id }),
  AuthKey: (id) => ({ operatorId: id }),
  AuditLogEntry: (id) => ({ operatorId: id }),
  SupportTicket: (id) => ({ operatorId: id }),
  SupportMessage: (id) => ({ ticket: { operatorId: id } }),
  Sim: (id, sims) => (sims ? { AND: [{ operatorId: id }, sims] } : { operatorId: id }),
  SimCount: (id) => ({ operatorId: id }),
  SimTag: (id, sims) => (sims ? { operatorId: id, sim: { is: sims } } : { operatorId: id }),
  SimStatusChange: (id, sims) => (sims ? { operatorId: id, sim: { is: sims } } : { operatorId: id }),
  OfficeHoursRequest: (id) => ({ operatorId: id }),
  User: (id) => ({ operatorId: id }),
  SimGroup: (id) => ({ operatorId: id }),
  /** V3: an operator reads its own log only (events are written through the raw transaction). */
  Event: (id) => ({ operatorId: id }),
  /** V5: an operator's endpoints and their delivery log (U5 narrows them further, webhooks/endpoints.ts). */
  WebhookEndpoint: (id, _sims, user) => (user ? { operatorId: id, createdBy: user } : { operatorId: id }),
  WebhookDelivery: (id, _sims, user) => ({ endpoint: user ? { operatorId: id, createdBy: user } : { operatorId: id } }),
  /** Both ends of a transfer see it (T3). */
  SimTransfer: (id) => ({ OR: [{ sourceOperatorId: id }, { destinationOperatorId: id }] }),
  SimTransferItem: (id) => ({ transfer: { OR: [{ sourceOperatorId: id }, { destinationOperatorId: id }] } }),
  /** Mail caused by the operator's own actions. */
  OutboxMessage: (id) => ({ operatorId: id }),
};

/** Models the tenant client may create, and the column that must name the caller. */
const ownerColumn: Record<string, string> = {
  EmailAddress: "operatorId",
  Session: "operatorId",
  AuthKey: "operatorId",
  AuditLogEntry: "operatorId",
  SupportTicket: "operatorId",
  OutboxMessage: "operatorId",
  SimTag: "operatorId",
  SimStatusChange: "operatorId",
  SimTransfer: "sourceOperatorId",
  OfficeHoursRequest: "operatorId",
  User: "operatorId",
  SimGroup: "operatorId",
  WebhookEndpoint: "operatorId",
};

// Matches no row (row IDs are UUIDs): used when there is no caller.
export const NOBODY = "(nobody)";

const whereOps = new Set([
  "findUnique", "findUniqueOrThrow", "findFirst", "findFirstOrThrow", "findMany", "count", "aggregate",
  "groupBy", "update", "updateMany", "updateManyAndReturn", "delete", "deleteMany", "upsert",
]);

/** The caller's arguments narrowed to the tenant (reads, updates, deletes) and owned by it (creates). */
function scopeArgs(model: string, operation: string, args: unknown, view: View): unknown {
  const { tenant } = view;
  const scope = scopes[model];
  if (!scope) throw new Error(`O4: model ${model} is not reachable through the tenant client`);
  const a = { ...(args ?? {}) } as { where?: Where; data?: unknown; create?: Where };
  if (whereOps.has(operation)) {
    // AND only narrows: the caller's conditions (even on the same field) all still apply,
    // and unique look-ups keep their unique field at the top level.
    const where = a.where ?? {};
    const and = where.AND === undefined ? [] : Array.isArray(where.AND) ? where.AND : [where.AND];
    a.where = { ...where, AND: [...and, scope(tenant, view.sims, view.user)] };
  }
  if (operation === "create" || operation === "upsert") {
    const key = operation === "create" ? "data" : "create";
    (a as Record<string, unknown>)[key] = own(model, (a as Record<string, Where>)[key], tenant);
  }
  if (operation === "createMany" || operation === "createManyAndReturn") {
    const data = a.data as Where | Where[];
    a.data = Array.isArray(data) ? data.map((d) => own(model, d, tenant)) : own(model, data, tenant);
  }
  return a;
}

/** A tenant as scopeArgs applies it: the operator (NOBODY for none) and its compiled SIM scope. */
interface View {
  tenant: string;
  sims: Where | null;
  user: string | null;
}

function viewOf(tenant: Tenant | string | null): View {
  if (tenant === null) return { tenant: NOBODY, sims: null, user: null };
  if (typeof tenant === "string") return { tenant, sims: null, user: null };
  return { tenant: tenant.operatorId, sims: tenant.sims ? simScopeWhere(tenant.sims, tenant.operatorId) : null, user: tenant.user ?? null };
}

/** The client of one operator (null: nobody), narrowed to the SIMs of `sims` when given (U4) and to `user`'s webhook endpoints (U5). */
export function tenantDb(db: Db, operatorId: string | null, sims: SimScope | null = null, user: string | null = null): Db {
  const view = viewOf(operatorId === null ? null : { operatorId, sims, user });
  const scoped = db.$extends({
    name: "tenancy",
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          return query(scopeArgs(model, operation, args, view) as typeof args);
        },
      },
    },
  }) as unknown as Db;
  return scoped;
}

/**
 * The same scoping over an open transaction's client (a transaction client cannot be extended):
 * mutations run one transaction on the unscoped client and hand the work both this view and the
 * raw client, so a cross-tenant read (another operator's primary address, a transfer's
 * destination) stays on the transaction's connection instead of taking a second one.
 */
export function tenantTx(tx: Tx, tenant: Tenant | string): Tx {
  const view = viewOf(tenant);
  const delegates = new Map<string, unknown>();
  const scoped = new Proxy(tx, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof property !== "string" || /^[$_]/.test(property) || typeof value !== "object" || value === null) return value;
      const model = property[0]!.toUpperCase() + property.slice(1);
      let delegate = delegates.get(property);
      if (!delegate) {
        const methods = value as Record<string, (args?: unknown) => unknown>;
        delegate = new Proxy(methods, {
          get: (d, operation) =>
            typeof operation === "string" && typeof d[operation] === "function"
              ? (args?: unknown) => d[operation]!(scopeArgs(model, operation, args, view))
              : Reflect.get(d, operation),
        });
        delegates.set(property, delegate);
      }
      return delegate;
    },
  });
  underlying.set(scoped, tx);
  return scoped;
}

const underlying = new WeakMap<object, Tx>();

/** The transaction client a tenantTx view wraps (the client itself for any other): per-transaction state is keyed on it. */
export function unscopedTx(tx: Tx): Tx {
  return underlying.get(tx) ?? tx;
}

function own(model: string, data: Where | undefined, tenant: string): Where {
  // Creating rows is not narrowed by the SIM scope: the mutations that create them judge their SIMs.
  const column = ownerColumn[model];
  if (tenant === NOBODY || !column) throw new Error(`O4: ${model} cannot be created through this tenant client`);
  if (data && column in data && data[column] !== tenant) throw new Error(`O4: refusing to create ${model} for another operator`);
  return { ...(data ?? {}), [column]: tenant };
}
