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
import type { OfficeHoursRequest, Operator, SupportTicket } from "../types.ts";

export function supportApi(run: Runner, pageSize: number) {
  return {
    /** How far support helps with a category under a plan (P2); the viewer's plan when `plan` is left out. */
    async scope(category: SupportCategory, plan?: SupportPlan): Promise<SupportScope> {
      const { supportScope } = await run.query(SupportScopeDocument, { category, plan: plan ?? null });
      return supportScope;
    },

    /** Switches the support plan (P1); existing tickets keep their scope. */
    async changePlan(plan: SupportPlan): Promise<MutationResult<Operator>> {
      const { changeSupportPlan } = await run.mutate(ChangeSupportPlanDocument, { input: { plan } });
      return resultOf(changeSupportPlan, (p) => p.operator);
    },

    /** Opens a ticket; its scope is fixed now and never blocks creation (P2). */
    async createTicket(input: CreateSupportTicketInput): Promise<MutationResult<SupportTicket>> {
      const { createSupportTicket } = await run.mutate(CreateSupportTicketDocument, { input });
      return resultOf(createSupportTicket, (p) => p.ticket);
    },

    /** Adds the operator's reply to an open ticket (TICKET_CLOSED otherwise). */
    async reply(input: ReplyToSupportTicketInput): Promise<MutationResult<SupportTicket>> {
      const { replyToSupportTicket } = await run.mutate(ReplyToSupportTicketDocument, { input });
      return resultOf(replyToSupportTicket, (p) => p.ticket);
    },

    /** Closes a ticket. */
    async close(ticketId: string): Promise<MutationResult<SupportTicket>> {
      const { closeSupportTicket } = await run.mutate(CloseSupportTicketDocument, { input: { ticketId } });
      return resultOf(closeSupportTicket, (p) => p.ticket);
    },

    /** One page of tickets, newest first, optionally only OPEN or CLOSED ones. */
    listTickets: connectionMethod<{ status?: SupportTicketStatus | null }, SupportTicket>(async ({ status, first, after }) => {
      const { viewer } = await run.query(SupportTicketsDocument, { status: status ?? null, first, after });
      return pageOf(viewer!.supportTickets);
    }, pageSize),

    /** Requests office hours (P3): PRIORITY or ENTERPRISE, once per month, 1–3 candidate slots. */
    async requestOfficeHours(input: RequestOfficeHoursInput): Promise<MutationResult<OfficeHoursRequest>> {
      const { requestOfficeHours } = await run.mutate(RequestOfficeHoursDocument, { input });
      return resultOf(requestOfficeHours, (p) => p.request);
    },

    /** Cancels an office-hours request; its month is free again. */
    async cancelOfficeHours(requestId: string): Promise<MutationResult<OfficeHoursRequest>> {
      const { cancelOfficeHoursRequest } = await run.mutate(CancelOfficeHoursRequestDocument, { input: { requestId } });
      return resultOf(cancelOfficeHoursRequest, (p) => p.request);
    },

    /** One page of office-hours requests, newest first. */
    listOfficeHours: connectionMethod<Record<never, never>, OfficeHoursRequest>(async ({ first, after }) => {
      const { viewer } = await run.query(OfficeHoursRequestsDocument, { first, after });
      return pageOf(viewer!.officeHoursRequests);
    }, pageSize),
  };
}

export type SupportApi = ReturnType<typeof supportApi>;
