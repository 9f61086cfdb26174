// P: support tickets. Listing works now; the ticket mutations come with the support work.
import { builder } from "./builder.ts";
import { notImplemented } from "./not-implemented.ts";
import { OperatorPayload, OperatorRef, SupportPlanEnum } from "./operator.ts";
import { UserErrorRef } from "./user-error.ts";
import type { UserError } from "../domain/user-error.ts";

export const SupportCategoryEnum = builder.enumType("SupportCategory", {
  description: "What a ticket is about; with the plan it fixes the ticket's scope (P2).",
  values: [
    "CONNECTIVITY",
    "PLATFORM_USAGE",
    "PURCHASED_DEVICE",
    "DOCUMENTATION",
    "BILLING_AND_CONTRACT",
    "CUSTOMER_DEVICE",
    "CUSTOMER_SYSTEM",
    "COMMUNICATION_CONTENT",
    "THIRD_PARTY_PRODUCT",
    "CUSTOM_IMPLEMENTATION",
    "CARRIER_COMBINATION",
    "FAILURE_INVESTIGATION",
    "UNDOCUMENTED_SPECIFICATION",
    "LEGAL_OPINION",
    "BASE_STATION",
    "SIM_TRANSFER_APPLICATION",
    "ACCOUNT_RECOVERY",
    "OFFICE_HOURS",
  ] as const,
});

export const SupportScopeEnum = builder.enumType("SupportScope", {
  description: "How far support helps with a category under a plan (P2).",
  values: {
    IN_SCOPE: { description: "Support handles it." },
    BEST_EFFORT: { description: "Support helps as far as it can, without guarantees." },
    OUT_OF_SCOPE: { description: "Support cannot help; the ticket is still created." },
  },
});

const SupportTicketStatusEnum = builder.enumType("SupportTicketStatus", {
  description: "Whether a ticket is still open.",
  values: { OPEN: { description: "Open." }, CLOSED: { description: "Closed; replies are refused." } },
});

const SupportMessageAuthorEnum = builder.enumType("SupportMessageAuthor", {
  description: "Who wrote a ticket message.",
  values: { CUSTOMER: { description: "The operator." }, STAFF: { description: "Support staff." } },
});

const SupportMessageRef = builder.prismaObject("SupportMessage", {
  description: "One message on a ticket.",
  fields: (t) => ({
    author: t.field({ type: SupportMessageAuthorEnum, description: "Who wrote it.", resolve: (m) => m.author as "CUSTOMER" | "STAFF" }),
    body: t.exposeString("body", { description: "Plain text." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was written." }),
  }),
});
void SupportMessageRef;

export const SupportTicketRef = builder.prismaNode("SupportTicket", {
  id: { field: "id" },
  // node(id:) answers null, not an error, for a missing or foreign ID (O4).
  nullable: true,
  description: "A support case (P2). Account-recovery requests (E6) open one too.",
  fields: (t) => ({
    subject: t.exposeString("subject", { description: "Subject line." }),
    category: t.field({ type: SupportCategoryEnum, description: "What it is about.", resolve: (x) => x.category as never }),
    scope: t.field({ type: SupportScopeEnum, description: "P2, fixed when the ticket is created.", resolve: (x) => x.scope as never }),
    status: t.field({ type: SupportTicketStatusEnum, description: "OPEN or CLOSED.", resolve: (x) => x.status as never }),
    messages: t.relation("messages", { description: "Messages, oldest first.", query: { orderBy: { createdAt: "asc" } } }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was opened." }),
    closedAt: t.expose("closedAt", { type: "DateTime", nullable: true, description: "When it was closed." }),
  }),
});

const SupportTicketConnection = builder.connectionObject({ type: SupportTicketRef, name: "SupportTicketConnection" }, { name: "SupportTicketEdge" });

builder.prismaObjectField(OperatorRef, "supportTickets", (t) =>
  t.relatedConnection(
    "supportTickets",
    {
      description: "The operator's support tickets, newest first.",
      cursor: "id",
      totalCount: true,
      args: { status: t.arg({ type: SupportTicketStatusEnum, required: false, description: "Only tickets in this status." }) },
      query: ({ status }) => ({ where: status ? { status } : {}, orderBy: { id: "desc" } }),
    },
    SupportTicketConnection,
  ),
);

export const SupportTicketPayload = builder.objectRef<{ ticket?: { id: string } | null; userErrors: UserError[] }>("SupportTicketPayload").implement({
  description: "The ticket after the change; null when refused.",
  fields: (t) => ({
    ticket: t.prismaField({
      type: "SupportTicket",
      nullable: true,
      description: "The ticket as it is now.",
      resolve: (query, p, _args, ctx) => (p.ticket ? ctx.unscopedDb.supportTicket.findUnique({ ...query, where: { id: p.ticket.id } }) : null),
    }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

builder.queryField("supportScope", (t) =>
  t.field({
    type: SupportScopeEnum,
    authScopes: { operator: true },
    description: "Scope of a support category under a plan (P2); the viewer's plan when `plan` is omitted.",
    args: { category: t.arg({ type: SupportCategoryEnum, required: true }), plan: t.arg({ type: SupportPlanEnum, required: false }) },
    resolve: () => notImplemented("supportScope"),
  }),
);

const ChangeSupportPlanInput = builder.inputType("ChangeSupportPlanInput", {
  fields: (t) => ({ plan: t.field({ type: SupportPlanEnum, required: true, description: "The new plan." }) }),
});
const CreateSupportTicketInput = builder.inputType("CreateSupportTicketInput", {
  fields: (t) => ({
    subject: t.string({ required: true, description: "Subject line." }),
    body: t.string({ required: true, description: "The first message." }),
    category: t.field({ type: SupportCategoryEnum, required: true, description: "What it is about (P2)." }),
  }),
});
const ReplyToSupportTicketInput = builder.inputType("ReplyToSupportTicketInput", {
  fields: (t) => ({ ticketId: t.id({ required: true, description: "The ticket." }), body: t.string({ required: true, description: "The reply." }) }),
});
const CloseSupportTicketInput = builder.inputType("CloseSupportTicketInput", {
  fields: (t) => ({ ticketId: t.id({ required: true, description: "The ticket." }) }),
});
const AdminReplyToSupportTicketInput = builder.inputType("AdminReplyToSupportTicketInput", {
  fields: (t) => ({ ticketId: t.id({ required: true, description: "The ticket." }), body: t.string({ required: true, description: "The staff reply." }) }),
});

builder.mutationFields((t) => ({
  changeSupportPlan: t.field({
    type: OperatorPayload,
    authScopes: { operator: true },
    description: "Switches the support plan (P1).",
    args: { input: t.arg({ type: ChangeSupportPlanInput, required: true }) },
    resolve: () => notImplemented("changeSupportPlan"),
  }),
  createSupportTicket: t.field({
    type: SupportTicketPayload,
    authScopes: { operator: true },
    description: "Opens a ticket; its scope (P2) is fixed now and an auto-reply goes to the primary (E8).",
    args: { input: t.arg({ type: CreateSupportTicketInput, required: true }) },
    resolve: () => notImplemented("createSupportTicket"),
  }),
  replyToSupportTicket: t.field({
    type: SupportTicketPayload,
    authScopes: { operator: true },
    description: "Adds the operator's reply to an open ticket.",
    args: { input: t.arg({ type: ReplyToSupportTicketInput, required: true }) },
    resolve: () => notImplemented("replyToSupportTicket"),
  }),
  closeSupportTicket: t.field({
    type: SupportTicketPayload,
    authScopes: { operator: true },
    description: "Closes a ticket; an auto-reply goes to the primary (E8).",
    args: { input: t.arg({ type: CloseSupportTicketInput, required: true }) },
    resolve: () => notImplemented("closeSupportTicket"),
  }),
  adminReplyToSupportTicket: t.field({
    type: SupportTicketPayload,
    authScopes: { admin: true },
    description: "Administrator only (O5): a staff reply, mailed To the primary and CC every support address (E8).",
    args: { input: t.arg({ type: AdminReplyToSupportTicketInput, required: true }) },
    resolve: () => notImplemented("adminReplyToSupportTicket"),
  }),
}));
