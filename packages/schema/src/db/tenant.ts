// O4, enforced in one place: the client every operator-scoped resolver gets (ctx.db) adds the
// caller's operator to every query of a tenant-owned model. Another operator's row therefore
// looks exactly like a row that does not exist, whatever the resolver asked for.
import type { Db, Tx } from "./database.ts";

type Where = Record<string, unknown>;

/** How each tenant-owned model is tied to its operator. Models not listed are not readable. */
const scopes: Record<string, (operatorId: string) => Where> = {
  Operator: (id) => ({ id }),
  EmailAddress: (id) => ({ operatorId: id }),
  Session: (id) => ({ operatorId: id }),
  AuthKey: (id) => ({ operatorId: id }),
  AuditLogEntry: (id) => ({ operatorId: id }),
  SupportTicket: (id) => ({ operatorId: id }),
  SupportMessage: (id) => ({ ticket: { operatorId: id } }),
  Sim: (id) => ({ operatorId: id }),
  SimCount: (id) => ({ operatorId: id }),
  SimTag: (id) => ({ operatorId: id }),
  SimStatusChange: (id) => ({ operatorId: id }),
  OfficeHoursRequest: (id) => ({ operatorId: id }),
  User: (id) => ({ operatorId: id }),
  SimGroup: (id) => ({ operatorId: id }),
  /** V3: an operator reads its own log only (events are written through the raw transaction). */
  Event: (id) => ({ operatorId: id }),
  /** V5: an operator's endpoints and their delivery log (U5 narrows them further, webhooks/endpoints.ts). */
  WebhookEndpoint: (id) => ({ operatorId: id }),
  WebhookDelivery: (id) => ({ endpoint: { operatorId: id } }),
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
function scopeArgs(model: string, operation: string, args: unknown, tenant: string): unknown {
  const scope = scopes[model];
  if (!scope) throw new Error(`O4: model ${model} is not reachable through the tenant client`);
  const a = { ...(args ?? {}) } as { where?: Where; data?: unknown; create?: Where };
  if (whereOps.has(operation)) {
    // AND only narrows: the caller's conditions (even on the same field) all still apply,
    // and unique look-ups keep their unique field at the top level.
    const where = a.where ?? {};
    const and = where.AND === undefined ? [] : Array.isArray(where.AND) ? where.AND : [where.AND];
    a.where = { ...where, AND: [...and, scope(tenant)] };
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

const tenants = new WeakMap<object, string>();

export function tenantDb(db: Db, operatorId: string | null): Db {
  const tenant = operatorId ?? NOBODY;
  const scoped = db.$extends({
    name: "tenancy",
    query: {
      $allModels: {
        async $allOperations({ model, operation, args, query }) {
          return query(scopeArgs(model, operation, args, tenant) as typeof args);
        },
      },
    },
  }) as unknown as Db;
  tenants.set(scoped, tenant);
  return scoped;
}

/** The operator a client made by tenantDb is scoped to (NOBODY for none); undefined for any other client. */
export function tenantOf(db: Db): string | undefined {
  return tenants.get(db);
}

/**
 * The same scoping over an open transaction's client (a transaction client cannot be extended):
 * mutations run one transaction on the unscoped client and hand the work both this view and the
 * raw client, so a cross-tenant read (another operator's primary address, a transfer's
 * destination) stays on the transaction's connection instead of taking a second one.
 */
export function tenantTx(tx: Tx, tenant: string): Tx {
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
              ? (args?: unknown) => d[operation]!(scopeArgs(model, operation, args, tenant))
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
  const column = ownerColumn[model];
  if (tenant === NOBODY || !column) throw new Error(`O4: ${model} cannot be created through this tenant client`);
  if (data && column in data && data[column] !== tenant) throw new Error(`O4: refusing to create ${model} for another operator`);
  return { ...(data ?? {}), [column]: tenant };
}
