// O6 and "bad input changes nothing", for every mutation: the work runs in one transaction;
// a refusal rolls it back and comes back as `userErrors`; either way the operator's audit log
// gets one entry (inside the transaction on success, after the rollback on refusal).
import type { Context } from "../context.ts";
import type { Db, Provider, Tx } from "../db/database.ts";
import { transactionSql } from "../db/transaction-sql.ts";
import { v7 as uuidv7 } from "uuid";
import { AUTH_KEY_ID } from "../domain/credentials.ts";
import { MAX_BULK_SIMS } from "../domain/sim-inventory.ts";
import { NOBODY, tenantOf, tenantTx } from "../db/tenant.ts";
import { boundTransaction, defaultWriteLimits, isBusyFailure, isOperatorBusy, operatorBusyError } from "../db/write-limits.ts";
import type { UserError } from "../domain/user-error.ts";
import { rowIdOf, safeDecode } from "../ids/global-id.ts";
import { Refusal } from "../db/refusal.ts";
import { eventTransaction } from "../events/append.ts";

export interface AuditDraft {
  /** The operator whose log gets the entry; public mutations set it once they know it. */
  operatorId: string | null;
  actor: string;
  targetIds: string[];
  /** Bulk calls that partly succeed: the per-item refusal codes, kept with the entry. */
  partialErrorCodes?: string[];
  /** Bulk calls where every item was refused (nothing changed, nothing to roll back). */
  allRefused?: boolean;
}

/** A bulk call's SIMs and the one object that carries them (transfer, ticket). */
export const MAX_AUDIT_TARGETS = MAX_BULK_SIMS + 1;

/** Adds the IDs that name an object of `typename`; anything else named nothing and is not kept. */
export function auditTargets(audit: AuditDraft, typename: string, globalIds: readonly string[]): void {
  for (const id of globalIds) if (rowIdOf(typename, id) !== null) audit.targetIds.push(id);
}

/**
 * What the entry stores: the IDs that are IDs (global IDs of our shape, auth key IDs), at most
 * MAX_AUDIT_TARGETS. Enforced here, where every entry is written, so that no resolver can store
 * what a caller typed, however big, before it was validated.
 */
export function storedTargetIds(targetIds: readonly string[]): string[] {
  const kept: string[] = [];
  for (const id of targetIds) {
    if (kept.length >= MAX_AUDIT_TARGETS) break;
    if (typeof id === "string" && (safeDecode(id) !== null || AUTH_KEY_ID.test(id))) kept.push(id);
  }
  return kept;
}

export interface MutationRun {
  /** The transaction, scoped to the viewer's operator unless the mutation is unscoped. */
  tx: Tx;
  /** The same transaction unscoped, for the platform's cross-tenant reads (never a second connection). */
  raw: Tx;
  audit: AuditDraft;
}

export interface AuditedOptions {
  /** Public and admin mutations work outside the viewer's tenant (they set audit.operatorId). */
  unscoped?: boolean;
}

interface Entry {
  operatorId: string;
  at: Date;
  action: string;
  actor: string;
  targetIds: string;
  result: "SUCCEEDED" | "REFUSED";
  errorCodes: string;
}

/** The entry of a mutation that went through, in its transaction, by its own statement (db/transaction-sql.ts). */
async function recordInTransaction(tx: Tx, provider: Provider, e: Entry): Promise<void> {
  const sql =
    provider === "postgresql"
      ? `INSERT INTO "AuditLogEntry" ("id", "operatorId", "at", "action", "actor", "targetIds", "result", "errorCodes") VALUES ($1, $2, $3, $4, $5, $6, $7::"AuditResult", $8)`
      : `INSERT INTO "AuditLogEntry" ("id", "operatorId", "at", "action", "actor", "targetIds", "result", "errorCodes") VALUES (?, ?, ?, ?, ?, ?, ?, ?)`;
  await transactionSql(tx)(sql, [uuidv7(), e.operatorId, e.at, e.action, e.actor, e.targetIds, e.result, e.errorCodes]);
}

export type Payload<T> = Partial<T> & { userErrors: UserError[] };

export async function audited<T extends object>(
  ctx: Context,
  action: string,
  work: (run: MutationRun) => Promise<T>,
  options: AuditedOptions = {},
): Promise<Payload<T>> {
  const audit: AuditDraft = { operatorId: ctx.viewer?.id ?? null, actor: ctx.viewer?.actor ?? "anonymous", targetIds: [] };
  // The transaction runs on the unscoped client; the work sees it through the tenant's scoping.
  const tenant = options.unscoped ? undefined : (tenantOf(ctx.db) ?? ctx.viewer?.id ?? NOBODY);
  const limits = ctx.settings.writes ?? defaultWriteLimits;
  const entry = (result: "SUCCEEDED" | "REFUSED", codes: string[]) => ({
    operatorId: audit.operatorId!,
    at: ctx.clock.now(),
    action,
    actor: audit.actor,
    targetIds: JSON.stringify(storedTargetIds(audit.targetIds)),
    result,
    errorCodes: JSON.stringify(codes),
  });
  // V1: events the work appends are written at the end of this transaction (events/append.ts).
  const transaction = () =>
    eventTransaction(
      ctx.unscopedDb,
      async (raw) => {
        await boundTransaction(raw, ctx.provider, limits);
        const out = await work({ tx: tenant === undefined ? raw : tenantTx(raw, tenant), raw, audit });
        if (audit.operatorId) await recordInTransaction(raw, ctx.provider, entry(audit.allRefused ? "REFUSED" : "SUCCEEDED", audit.partialErrorCodes ?? []));
        return out;
      },
      { provider: ctx.provider, maxWait: limits.maxWaitMs, timeout: limits.transactionTimeoutMs },
    );
  // One operator's writes take turns (the gate refuses with OPERATOR_BUSY, before anything ran).
  const gated = () => (ctx.viewer && limits.gate ? limits.gate.run(ctx.viewer.id, transaction) : transaction());
  try {
    const value = await gated();
    return { ...value, userErrors: [] };
  } catch (error) {
    const refusal = error instanceof Refusal ? error : null;
    // No turn, no lock or no time: nothing ran or all was rolled back, so (like a rate-limit
    // refusal) it is not audited and the client may send it again.
    if (!refusal && isOperatorBusy(error)) throw error;
    if (!refusal && isBusyFailure(error)) throw operatorBusyError();
    // An unexpected failure is audited as refused with no code, then masked by the server.
    if (audit.operatorId) await ctx.unscopedDb.auditLogEntry.create({ data: entry("REFUSED", refusal ? refusal.errors.map((e) => e.code) : []) });
    if (refusal) return { userErrors: refusal.errors } as Payload<T>;
    throw error;
  }
}
