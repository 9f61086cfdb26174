// P1, P2, E8: support plans, ticket scope, tickets and their mail.
import type { Context } from "../context.ts";
import type { Tx } from "../db/database.ts";
import { recipientsFor } from "../domain/notification-routing.ts";
import { scopeOf, supportCategories } from "../domain/support-scope.ts";
import { userError } from "../domain/user-error.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { supportAutoReplyMail, supportReplyMail } from "../mail/templates.ts";
import { openTicket } from "../support/tickets.ts";
import { auditTargets, audited, type AuditDraft } from "../audit/audited.ts";
import { appendTicketChanged } from "../events/sim-events.ts";
import { SYSTEM_ACTOR } from "../events/types.ts";
import { refuse, refuseIf } from "../db/refusal.ts";
import { builder } from "./builder.ts";
import { aboveRule } from "./input-bounds.ts";
import { globalIdOf, rowIdOf } from "../ids/global-id.ts";
import { OperatorPayload, OperatorRef, SupportPlanEnum } from "./operator.ts";
import { UserErrorRef } from "./user-error.ts";
import type { UserError } from "../domain/user-error.ts";

export const SupportCategoryEnum = builder.enumType("SupportCategory", {
  description: "What a ticket is about; with the plan it fixes the ticket's scope (P2).",
  values: supportCategories,
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

builder.prismaObject("SupportMessage", {
  description: "One message on a ticket.",
  fields: (t) => ({
    author: t.field({ type: SupportMessageAuthorEnum, description: "Who wrote it.", resolve: (m) => m.author as "CUSTOMER" | "STAFF" }),
    body: t.exposeString("body", { description: "Plain text." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was written." }),
  }),
});

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
    description: "Scope of a support category under a plan (P2); the viewer's plan when `plan` is omitted.",
    args: { category: t.arg({ type: SupportCategoryEnum, required: true }), plan: t.arg({ type: SupportPlanEnum, required: false }) },
    resolve: async (_root, args, ctx) => {
      const plan = args.plan ?? (await ctx.db.operator.findUniqueOrThrow({ where: { id: ctx.viewer!.id }, select: { supportPlan: true } })).supportPlan;
      return scopeOf(args.category, plan);
    },
  }),
);

const ChangeSupportPlanInput = builder.inputType("ChangeSupportPlanInput", {
  fields: (t) => ({ plan: t.field({ type: SupportPlanEnum, required: true, description: "The new plan." }) }),
});
const CreateSupportTicketInput = builder.inputType("CreateSupportTicketInput", {
  fields: (t) => ({
    subject: t.string({ required: true, description: `Subject line, 1 to ${SUBJECT_MAX} characters.` }),
    body: t.string({ required: true, description: `The first message, 1 to ${BODY_MAX} characters.`, extensions: { maxLength: aboveRule(BODY_MAX) } }),
    category: t.field({ type: SupportCategoryEnum, required: true, description: "What it is about (P2)." }),
  }),
});
const ReplyToSupportTicketInput = builder.inputType("ReplyToSupportTicketInput", {
  fields: (t) => ({ ticketId: t.id({ required: true, description: "The ticket." }), body: t.string({ required: true, description: `The reply, 1 to ${BODY_MAX} characters.`, extensions: { maxLength: aboveRule(BODY_MAX) } }) }),
});
const CloseSupportTicketInput = builder.inputType("CloseSupportTicketInput", {
  fields: (t) => ({ ticketId: t.id({ required: true, description: "The ticket." }) }),
});
const AdminReplyToSupportTicketInput = builder.inputType("AdminReplyToSupportTicketInput", {
  fields: (t) => ({ ticketId: t.id({ required: true, description: "The ticket." }), body: t.string({ required: true, description: `The staff reply, 1 to ${BODY_MAX} characters.`, extensions: { maxLength: aboveRule(BODY_MAX) } }) }),
});

const SUBJECT_MAX = 200;
const BODY_MAX = 10_000;
/** Opened by the product itself, through their own mutations. */
const OWN_FLOW_CATEGORIES: Record<string, string> = {
  SIM_TRANSFER_APPLICATION: "applyForSimTransfer",
  ACCOUNT_RECOVERY: "requestAccountRecovery",
  OFFICE_HOURS: "requestOfficeHours",
};

function checkText(value: string, max: number, field: string[], what: string): UserError | null {
  return value.trim().length === 0 || value.length > max ? userError("INVALID_INPUT", `${what} must be 1 to ${max} characters.`, field) : null;
}

/** A ticket of the caller's (or, for staff, anyone's), locked for the transaction; or NOT_FOUND. */
async function namedTicket(tx: Tx, ctx: Context, audit: AuditDraft, globalId: string) {
  auditTargets(audit, "SupportTicket", [globalId]);
  const id = rowIdOf("SupportTicket", globalId);
  if (id && ctx.provider === "postgresql") await tx.$queryRawUnsafe(`SELECT id FROM "SupportTicket" WHERE id = $1 FOR UPDATE`, id);
  const ticket = id ? await tx.supportTicket.findUnique({ where: { id } }) : null;
  if (!ticket) refuse(userError("NOT_FOUND", "No such ticket.", ["input", "ticketId"]));
  return ticket;
}

function refuseClosed(ticket: { status: string }): void {
  if (ticket.status === "CLOSED") refuse(userError("TICKET_CLOSED", "The ticket is closed; open a new one.", ["input", "ticketId"]));
}

builder.mutationField("changeSupportPlan", (t) =>
  t.field({
    type: OperatorPayload,
    description: "Switches the support plan (P1). Existing tickets keep the scope they were opened with (P2).",
    args: { input: t.arg({ type: ChangeSupportPlanInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "changeSupportPlan", async ({ tx, audit }) => {
        audit.targetIds.push(globalIdOf("Operator", ctx.viewer!.id));
        const operator = await tx.operator.update({ where: { id: ctx.viewer!.id }, data: { supportPlan: input.plan } });
        return { operator };
      }),
  }),
);

builder.mutationField("createSupportTicket", (t) =>
  t.field({
    type: SupportTicketPayload,
    description: "Opens a ticket. Its scope (P2) is fixed now from the category and plan; it never blocks creation. An auto-reply goes to the primary only (E8).",
    args: { input: t.arg({ type: CreateSupportTicketInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "createSupportTicket", async ({ tx, audit }) => {
        const own = OWN_FLOW_CATEGORIES[input.category];
        refuseIf([
          checkText(input.subject, SUBJECT_MAX, ["input", "subject"], "The subject"),
          checkText(input.body, BODY_MAX, ["input", "body"], "The message"),
          own ? userError("INVALID_INPUT", `Tickets of this category are opened by ${own}.`, ["input", "category"]) : null,
        ]);
        const { supportPlan } = await tx.operator.findUniqueOrThrow({ where: { id: ctx.viewer!.id }, select: { supportPlan: true } });
        const ticket = await openTicket(
          tx,
          { operatorId: ctx.viewer!.id, subject: input.subject.trim(), category: input.category, scope: scopeOf(input.category, supportPlan), body: input.body, autoReply: true },
          ctx.clock.now(),
        );
        audit.targetIds.push(ticket.globalId);
        return { ticket };
      }),
  }),
);

builder.mutationField("replyToSupportTicket", (t) =>
  t.field({
    type: SupportTicketPayload,
    description: "Adds the operator's reply to an open ticket (TICKET_CLOSED otherwise).",
    args: { input: t.arg({ type: ReplyToSupportTicketInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "replyToSupportTicket", async ({ tx, audit }) => {
        refuseIf([checkText(input.body, BODY_MAX, ["input", "body"], "The reply")]);
        const ticket = await namedTicket(tx, ctx, audit, input.ticketId);
        refuseClosed(ticket);
        // Through the ticket, so the tenant client checks it is the caller's (O4).
        await tx.supportTicket.update({ where: { id: ticket.id }, data: { messages: { create: { author: "CUSTOMER", body: input.body, createdAt: ctx.clock.now() } } } });
        return { ticket };
      }),
  }),
);

builder.mutationField("closeSupportTicket", (t) =>
  t.field({
    type: SupportTicketPayload,
    description: "Closes a ticket; an auto-reply goes to the primary only (E8).",
    args: { input: t.arg({ type: CloseSupportTicketInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "closeSupportTicket", async ({ tx, audit }) => {
        const ticket = await namedTicket(tx, ctx, audit, input.ticketId);
        refuseClosed(ticket);
        const now = ctx.clock.now();
        await tx.supportTicket.update({ where: { id: ticket.id }, data: { status: "CLOSED", closedAt: now } });
        appendTicketChanged(tx, ticket, "CLOSED", now, audit.actor);
        const primary = await tx.emailAddress.findFirstOrThrow({ where: { primaryOf: { not: null } }, select: { address: true } });
        await enqueueMail(tx, ctx.viewer!.id, supportAutoReplyMail(primary.address, input.ticketId, ticket.subject, "closed"), now);
        return { ticket };
      }),
  }),
);

builder.mutationField("adminReplyToSupportTicket", (t) =>
  t.field({
    type: SupportTicketPayload,
    description: "Administrator only (O5): a staff reply, mailed To the primary and CC every support address at the time of sending (E8).",
    args: { input: t.arg({ type: AdminReplyToSupportTicketInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "adminReplyToSupportTicket",
        async ({ tx, audit }) => {
          refuseIf([checkText(input.body, BODY_MAX, ["input", "body"], "The reply")]);
          const ticket = await namedTicket(tx, ctx, audit, input.ticketId);
          audit.operatorId = ticket.operatorId;
          audit.actor = "support staff";
          refuseClosed(ticket);
          const now = ctx.clock.now();
          await tx.supportTicket.update({ where: { id: ticket.id }, data: { messages: { create: { author: "STAFF", body: input.body, createdAt: now } } } });
          appendTicketChanged(tx, ticket, "STAFF_REPLIED", now, SYSTEM_ACTOR);
          const addresses = await tx.emailAddress.findMany({
            where: { operatorId: ticket.operatorId, OR: [{ primaryOf: { not: null } }, { isSupport: true }] },
            select: { address: true, primaryOf: true, isSupport: true },
            orderBy: { createdAt: "asc" },
          });
          const route = recipientsFor("SUPPORT_REPLY", {
            primary: addresses.find((a) => a.primaryOf !== null)!.address,
            support: addresses.filter((a) => a.isSupport).map((a) => a.address),
            recovery: null,
            billing: [],
            unverified: [],
            paymentMethod: null,
            invoice: null,
            hasGlobalSims: false,
            hasThresholdPlanSims: false,
          });
          await enqueueMail(tx, ticket.operatorId, supportReplyMail(route.to, route.cc, input.ticketId, ticket.subject, input.body), now);
          return { ticket };
        },
        { unscoped: true },
      ),
  }),
);
