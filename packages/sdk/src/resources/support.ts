// support: plans and scope (P1, P2), tickets (E8) and office hours (P3).
import {
  CancelOfficeHoursRequestDocument,
  ChangeSupportPlanDocument,
  CloseSupportTicketDocument,
  CreateSupportTicketDocument,
  OfficeHoursRequestsDocument,
  ReplyToSupportTicketDocument,
  RequestOfficeHoursDocument,
  SupportScopeDocument,
  SupportTicketsDocument,
  type CreateSupportTicketInput,
  type ReplyToSupportTicketInput,
  type RequestOfficeHoursInput,
  type SupportCategory,
  type SupportPlan,
  type SupportScope,
  type SupportTicketStatus,
} from "../generated/graphql.ts";
import { connectionMethod, pageOf } from "../pagination.ts";
import { resultOf, type MutationResult } from "../result.ts";
import type { Runner } from "../runner.ts";
import type { CallOptions } from "../call-options.ts";
import type { OfficeHoursRequest, Operator, SupportTicket } from "../types.ts";

export function supportApi(run: Runner, pageSize: number) {
  return {
    /** How far support helps with a category under a plan (P2); the viewer's plan when `plan` is left out. */
    scope(category: SupportCategory, plan?: SupportPlan, options?: CallOptions): Promise<SupportScope> {
      return run.query(SupportScopeDocument, { category, plan: plan ?? null }, options, ({ supportScope }) => supportScope);
    },

    /** Switches the support plan (P1); existing tickets keep their scope. */
    changePlan(plan: SupportPlan, options?: CallOptions): Promise<MutationResult<Operator>> {
      return run.mutate(ChangeSupportPlanDocument, { input: { plan } }, options, ({ changeSupportPlan }) => resultOf(changeSupportPlan, (p) => p.operator));
    },

    /** Opens a ticket; its scope is fixed now and never blocks creation (P2). */
    createTicket(input: CreateSupportTicketInput, options?: CallOptions): Promise<MutationResult<SupportTicket>> {
      return run.mutate(CreateSupportTicketDocument, { input }, options, ({ createSupportTicket }) => resultOf(createSupportTicket, (p) => p.ticket));
    },

    /** Adds the operator's reply to an open ticket (TICKET_CLOSED otherwise). */
    reply(input: ReplyToSupportTicketInput, options?: CallOptions): Promise<MutationResult<SupportTicket>> {
      return run.mutate(ReplyToSupportTicketDocument, { input }, options, ({ replyToSupportTicket }) => resultOf(replyToSupportTicket, (p) => p.ticket));
    },

    /** Closes a ticket. */
    close(ticketId: string, options?: CallOptions): Promise<MutationResult<SupportTicket>> {
      return run.mutate(CloseSupportTicketDocument, { input: { ticketId } }, options, ({ closeSupportTicket }) => resultOf(closeSupportTicket, (p) => p.ticket));
    },

    /** One page of tickets, newest first, optionally only OPEN or CLOSED ones. */
    listTickets: connectionMethod<{ status?: SupportTicketStatus | null }, SupportTicket>(
      ({ status, first, after }, options) => run.query(SupportTicketsDocument, { status: status ?? null, first, after }, options, ({ viewer }) => pageOf(viewer!.supportTickets)),
      pageSize,
    ),

    /** Requests office hours (P3): PRIORITY or ENTERPRISE, once per month, 1–3 candidate slots. */
    requestOfficeHours(input: RequestOfficeHoursInput, options?: CallOptions): Promise<MutationResult<OfficeHoursRequest>> {
      return run.mutate(RequestOfficeHoursDocument, { input }, options, ({ requestOfficeHours }) => resultOf(requestOfficeHours, (p) => p.request));
    },

    /** Cancels an office-hours request; its month is free again. */
    cancelOfficeHours(requestId: string, options?: CallOptions): Promise<MutationResult<OfficeHoursRequest>> {
      return run.mutate(CancelOfficeHoursRequestDocument, { input: { requestId } }, options, ({ cancelOfficeHoursRequest }) => resultOf(cancelOfficeHoursRequest, (p) => p.request));
    },

    /** One page of office-hours requests, newest first. */
    listOfficeHours: connectionMethod<Record<never, never>, OfficeHoursRequest>(
      ({ first, after }, options) => run.query(OfficeHoursRequestsDocument, { first, after }, options, ({ viewer }) => pageOf(viewer!.officeHoursRequests)),
      pageSize,
    ),
  };
}

export type SupportApi = ReturnType<typeof supportApi>;
