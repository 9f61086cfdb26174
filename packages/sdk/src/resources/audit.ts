// audit: every mutation of the operator, succeeded or refused, newest first (O6).
import { AuditLogDocument, type AuditLogFilter } from "../generated/graphql.ts";
import { connectionMethod, pageOf } from "../pagination.ts";
import type { Runner } from "../runner.ts";
import type { AuditLogEntry } from "../types.ts";

export function auditApi(run: Runner, pageSize: number) {
  const list = connectionMethod<{ filter?: AuditLogFilter | null }, AuditLogEntry>(
    ({ filter, first, after }, options) => run.query(AuditLogDocument, { filter: filter ?? null, first, after }, options, ({ viewer }) => pageOf(viewer!.auditLog)),
    pageSize,
  );
  return {
    /** One page of audit entries, filtered by action, target or time. */
    list,
    iterate: list.iterate,
    collect: list.collect,
  };
}

export type AuditApi = ReturnType<typeof auditApi>;
