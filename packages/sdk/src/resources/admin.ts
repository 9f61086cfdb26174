// admin: the platform administrator's calls (O5). The client's token must be the server's
// SIMGATE_ADMIN_SECRET; anyone else gets SimgateForbiddenError.
import {
  AdminOutboxDocument,
  AdminProvisionSimsDocument,
  AdminReplyToSupportTicketDocument,
  AdminReportSessionDocument,
  AdminRunDueJobsDocument,
  type AdminReplyToSupportTicketInput,
  type AdminReportSessionInput,
  type NotificationKind,
  type ProvisionSimInput,
} from "../generated/graphql.ts";
import { resultOf, type MutationResult, type UserError } from "../result.ts";
import type { Runner } from "../runner.ts";
import type { CallOptions } from "../call-options.ts";
import type { DueJobsRun, OutboxMessage, ReportedSim, SupportTicket } from "../types.ts";

export interface ProvisionOutcome {
  provisionedCount: number;
  /** SIMs refused one by one, each with its input path (["input", "sims", "3"]). */
  refused: UserError[];
}

export interface OutboxArgs {
  /** How many, 1 to 1,000 (server default 50). */
  first?: number;
  kind?: NotificationKind;
  /** Only mail addressed (To or CC) to this address. */
  to?: string;
}

export function adminApi(run: Runner) {
  return {
    /**
     * Adds up to 1,000 SIMs to the inventory. Malformed or duplicate SIMs are refused one by one and
     * the rest are added: `ok` with `refused` listing them; `ok: false` only when nothing was added.
     */
    provisionSims(sims: ProvisionSimInput[], options?: CallOptions): Promise<MutationResult<ProvisionOutcome>> {
      return run.mutate(AdminProvisionSimsDocument, { input: { sims } }, options, ({ adminProvisionSims: p }) => {
        if (p.provisionedCount === 0 && p.userErrors.length > 0) return { ok: false, userErrors: p.userErrors };
        return { ok: true, data: { provisionedCount: p.provisionedCount, refused: p.userErrors } };
      });
    },

    /** Reports a network session opened or closed on a SIM (S4). */
    reportSession(input: AdminReportSessionInput, options?: CallOptions): Promise<MutationResult<ReportedSim>> {
      return run.mutate(AdminReportSessionDocument, { input }, options, ({ adminReportSession }) => resultOf(adminReportSession, (p) => p.sim));
    },

    /** A staff reply: To the primary, CC every support address (E8). */
    replyToTicket(input: AdminReplyToSupportTicketInput, options?: CallOptions): Promise<MutationResult<SupportTicket>> {
      return run.mutate(AdminReplyToSupportTicketDocument, { input }, options, ({ adminReplyToSupportTicket }) => resultOf(adminReplyToSupportTicket, (p) => p.ticket));
    },

    /** Applies due expiries (S7) and transfer expirations (T10) now. */
    runDueJobs(options?: CallOptions): Promise<MutationResult<DueJobsRun>> {
      return run.mutate(AdminRunDueJobsDocument, {}, options, ({ adminRunDueJobs }) => resultOf(adminRunDueJobs, ({ expiriesApplied, transfersExpired }) => ({ expiriesApplied, transfersExpired })));
    },

    /** Mail the server sent or queued, newest first. */
    outbox(args: OutboxArgs = {}, options?: CallOptions): Promise<OutboxMessage[]> {
      return run.query(AdminOutboxDocument, { first: args.first ?? null, kind: args.kind ?? null, to: args.to ?? null }, options, ({ adminOutbox }) => adminOutbox);
    },
  };
}

export type AdminApi = ReturnType<typeof adminApi>;
