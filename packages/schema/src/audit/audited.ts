// O6 and "bad input changes nothing", for every mutation: the work runs in one transaction;
// a refusal rolls it back and comes back as `userErrors`; either way the operator's audit log
// gets one entry (inside the transaction on success, after the rollback on refusal).
import type { Context } from "../context.ts";
import type { Db, Tx } from "../db/database.ts";
import { v7 as uuidv7 } from "uuid";
import { AUTH_KEY_ID } from "../domain/credentials.ts";
import { MAX_BULK_SIMS } from "../domain/sim-inventory.ts";
import { NOBODY, tenantTx } from "../db/tenant.ts";
import { viewerTenant } from "../auth/access.ts";
import { defaultWriteLimits, limitedTransaction, yieldFirst, isBusyFailure, isOperatorBusy, operatorBusyError } from "../db/write-limits.ts";
import type { UserError } from "../domain/user-error.ts";
import { rowIdOf, safeDecode } from "../ids/global-id.ts";
import { Refusal } from "../db/refusal.ts";
import { eventTransaction, type LastInsert } from "../events/append.ts";

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
  /**
   * The work sends hand-written statements only, never a call through Prisma's client: its
   * transaction opens without Prisma (events/append.ts `sqlOnly`), and a model call in it throws.
   */
  sqlOnly?: boolean;
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

/** An entry as the INSERT that eventTransaction writes before the events. */
function auditInsert(e: Entry): LastInsert {
  return {
    sql: (provider, p) =>
      `INSERT INTO "AuditLogEntry" ("id", "operatorId", "at", "action", "actor", "targetIds", "result", "errorCodes")
       VALUES (${p(0)}, ${p(1)}, ${p(2)}, ${p(3)}, ${p(4)}, ${p(5)}, ${p(6)}${provider === "postgresql" ? `::"AuditResult"` : ""}, ${p(7)})`,
    params: [uuidv7(), e.operatorId, e.at, e.action, e.actor, e.targetIds, e.result, e.errorCodes],
  };
}

export type Payload<T> = Partial<T> & { userErrors: UserError[] };

export async function audited<T extends object>(
  ctx: Context,
  action: string,
  work: (run: MutationRun) => Promise<T>,
  options: AuditedOptions = {},
): Promise<Payload<T>> {
  const audit: AuditDraft = { operatorId: ctx.viewer?.id ?? null, actor: ctx.viewer?.actor ?? "anonymous", targetIds: [] };
  // The transaction runs on the unscoped client; the work sees it through the tenant's scoping,
  // the viewer's as its resolvers' client has it (built here without that client: a Prisma
  // extension costs time to build, and a single-SIM change never needs it).
  const tenant = options.unscoped ? undefined : ctx.viewer ? viewerTenant(ctx.viewer) : NOBODY;
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
    limitedTransaction(limits, () =>
      eventTransaction(
        ctx.unscopedDb,
        async (raw) => {
          await yieldFirst(ctx.provider);
          return work({ tx: tenant === undefined ? raw : tenantTx(raw, tenant), raw, audit });
        },
        {
          provider: ctx.provider,
          sqlOnly: options.sqlOnly,
          maxWait: limits.maxWaitMs,
          timeout: limits.transactionTimeoutMs,
          // The entry of a mutation that went through: written with its events (events/append.ts).
          lastInsert: () => (audit.operatorId ? auditInsert(entry(audit.allRefused ? "REFUSED" : "SUCCEEDED", audit.partialErrorCodes ?? [])) : null),
        },
      ),
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
