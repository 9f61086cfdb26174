// P3: office hours — a web meeting with support staff, requested with candidate slots.
import { isUniqueViolation } from "../db/unique-violation.ts";
import { judgeOfficeHoursRequest, officeHoursMonth } from "../domain/office-hours.ts";
import { scopeOf } from "../domain/support-scope.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { openTicket } from "../support/tickets.ts";
import { auditTargets, audited } from "../audit/audited.ts";
import { refuse, refuseIf } from "../db/refusal.ts";
import { builder } from "./builder.ts";
import { aboveRule } from "./input-bounds.ts";
import { globalIdOf, rowIdOf } from "../ids/global-id.ts";
import { OperatorRef } from "./operator.ts";
import { lockOperator } from "./operator-lock.ts";
import { UserErrorRef } from "./user-error.ts";

const TOPIC_MAX = 200;
const NOTES_MAX = 2000;

const MeetingToolEnum = builder.enumType("MeetingTool", {
  description: "Where the meeting happens (P3).",
  values: {
    GOOGLE_MEET: { description: "Google Meet; staff send the URL." },
    CUSTOMER_URL: { description: "The customer's own https meeting URL, admitting guests. No phone." },
  },
});
const OfficeHoursStatusEnum = builder.enumType("OfficeHoursStatus", {
  description: "Where an office-hours request stands.",
  values: {
    REQUESTED: { description: "Waiting for staff to pick a slot (or propose another date)." },
    SCHEDULED: { description: "Staff picked a slot." },
    CANCELED: { description: "Canceled; its month is free again." },
    COMPLETED: { description: "The meeting took place." },
  },
});

interface Slot {
  startsAt: Date;
  durationMinutes: number;
}

const OfficeHoursSlotRef = builder.objectRef<Slot>("OfficeHoursSlot").implement({
  description: "A meeting slot.",
  fields: (t) => ({
    startsAt: t.expose("startsAt", { type: "DateTime", description: "Start (UTC)." }),
    durationMinutes: t.exposeInt("durationMinutes", { description: "30 to 45 minutes." }),
  }),
});

const OfficeHoursRequestRef = builder.prismaNode("OfficeHoursRequest", {
  id: { field: "id" },
  // node(id:) answers null, not an error, for a missing or foreign ID (O4).
  nullable: true,
  description: "A request for a web meeting with support (P3), tracked as a support ticket. Not for urgent matters.",
  fields: (t) => ({
    status: t.field({ type: OfficeHoursStatusEnum, description: "Where it stands.", select: { status: true }, resolve: (r) => r.status as "REQUESTED" }),
    topic: t.exposeString("topic", { description: "What to talk about." }),
    month: t.exposeString("month", { description: "Asia/Tokyo month the request counts against, YYYY-MM (P3)." }),
    candidateSlots: t.field({
      type: [OfficeHoursSlotRef],
      description: "The slots proposed, in the order given.",
      select: { candidateSlots: true },
      resolve: (r) => (JSON.parse(r.candidateSlots) as { startsAt: string; durationMinutes: number }[]).map((s) => ({ startsAt: new Date(s.startsAt), durationMinutes: s.durationMinutes })),
    }),
    scheduledSlot: t.field({
      type: OfficeHoursSlotRef,
      nullable: true,
      description: "The slot staff chose, once scheduled.",
      select: { scheduledStartsAt: true, scheduledMinutes: true },
      resolve: (r) => (r.scheduledStartsAt && r.scheduledMinutes ? { startsAt: r.scheduledStartsAt, durationMinutes: r.scheduledMinutes } : null),
    }),
    meetingTool: t.field({ type: MeetingToolEnum, description: "Meeting tool.", select: { meetingTool: true }, resolve: (r) => r.meetingTool as "GOOGLE_MEET" }),
    meetingUrl: t.exposeString("meetingUrl", { nullable: true, description: "The customer's URL, with CUSTOMER_URL." }),
    supportTicket: t.relation("supportTicket", { description: "The ticket tracking it." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was made." }),
  }),
});

const OfficeHoursRequestConnection = builder.connectionObject(
  { type: OfficeHoursRequestRef, name: "OfficeHoursRequestConnection" },
  { name: "OfficeHoursRequestEdge" },
);

builder.prismaObjectField(OperatorRef, "officeHoursRequests", (t) =>
  t.relatedConnection(
    "officeHours",
    { description: "Office-hours requests, newest first (P3).", cursor: "id", totalCount: true, query: { orderBy: [{ createdAt: "desc" }, { id: "desc" }] } },
    OfficeHoursRequestConnection,
  ),
);

const OfficeHoursRequestPayload = builder.objectRef<{ request?: { id: string } | null; userErrors: UserError[] }>("OfficeHoursRequestPayload").implement({
  description: "The request after the change; null when refused.",
  fields: (t) => ({
    request: t.prismaField({
      type: "OfficeHoursRequest",
      nullable: true,
      description: "The request as it is now.",
      resolve: (query, p, _args, ctx) => (p.request ? ctx.db.officeHoursRequest.findUnique({ ...query, where: { id: p.request.id } }) : null),
    }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const OfficeHoursSlotInput = builder.inputType("OfficeHoursSlotInput", {
  fields: (t) => ({
    startsAt: t.field({ type: "DateTime", required: true, description: "Start, on a business day, 10:00–18:00 Asia/Tokyo." }),
    durationMinutes: t.int({ required: true, description: "30 to 45." }),
  }),
});
const RequestOfficeHoursInput = builder.inputType("RequestOfficeHoursInput", {
  fields: (t) => ({
    topic: t.string({ required: true, description: `What to talk about, 1 to ${TOPIC_MAX} characters.` }),
    candidateSlots: t.field({ type: [OfficeHoursSlotInput], required: true, description: "1 to 3 slots (two recommended), from the 5th business day after today." }),
    meetingTool: t.field({ type: MeetingToolEnum, required: false, defaultValue: "GOOGLE_MEET", description: "Meeting tool." }),
    meetingUrl: t.string({ required: false, description: "An https URL that admits guests, with CUSTOMER_URL." }),
    notes: t.string({ required: false, description: `Anything else (INVALID_INPUT past ${NOTES_MAX.toLocaleString("en")} characters).`, extensions: { maxLength: aboveRule(NOTES_MAX) } }),
  }),
});
const CancelOfficeHoursRequestInput = builder.inputType("CancelOfficeHoursRequestInput", {
  fields: (t) => ({ requestId: t.id({ required: true, description: "The request." }) }),
});

function isMonthTaken(error: unknown): boolean {
  return isUniqueViolation(error, "activeMonthKey");
}

builder.mutationField("requestOfficeHours", (t) =>
  t.field({
    type: OfficeHoursRequestPayload,
    description:
      "Requests office hours (P3): PRIORITY or ENTERPRISE only, one per Asia/Tokyo month, 1–3 slots of 30–45 minutes within " +
      "10:00–18:00 on business days from the 5th business day after today. Opens an OFFICE_HOURS ticket.",
    args: { input: t.arg({ type: RequestOfficeHoursInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "requestOfficeHours", async ({ tx, audit }) => {
        const operatorId = ctx.viewer!.id;
        const now = ctx.clock.now();
        const topic = input.topic.trim();
        const operator = await lockOperator(tx, operatorId, now);
        refuseIf([
          topic.length === 0 || topic.length > TOPIC_MAX ? userError("INVALID_INPUT", `The topic must be 1 to ${TOPIC_MAX} characters.`, ["input", "topic"]) : null,
          input.notes != null && input.notes.length > NOTES_MAX ? userError("INVALID_INPUT", `Notes are at most ${NOTES_MAX} characters.`, ["input", "notes"]) : null,
          ...judgeOfficeHoursRequest(
            { plan: operator.supportPlan, slots: input.candidateSlots, meetingTool: input.meetingTool ?? "GOOGLE_MEET", meetingUrl: input.meetingUrl },
            now,
          ),
        ]);
        const month = officeHoursMonth(now);
        const activeMonthKey = `${operatorId}:${month}`;
        const taken = userError("OFFICE_HOURS_MONTHLY_LIMIT", `Office hours are once a month; ${month} is taken (cancel that request to free it).`, ["input"]);
        if (await tx.officeHoursRequest.findUnique({ where: { activeMonthKey }, select: { id: true } })) refuse(taken);
        const slots = input.candidateSlots.map((s) => ({ startsAt: s.startsAt.toISOString(), durationMinutes: s.durationMinutes }));
        const tool = input.meetingTool ?? "GOOGLE_MEET";
        const ticket = await openTicket(
          tx,
          {
            operatorId,
            subject: `Office hours: ${topic}`,
            category: "OFFICE_HOURS",
            scope: scopeOf("OFFICE_HOURS", operator.supportPlan),
            body: [
              `Topic: ${topic}`,
              "Candidate slots:",
              ...slots.map((s) => `  ${s.startsAt} for ${s.durationMinutes} minutes`),
              `Meeting: ${tool === "GOOGLE_MEET" ? "Google Meet (staff send the URL)" : input.meetingUrl}`,
              ...(input.notes ? ["", input.notes] : []),
            ].join("\n"),
            autoReply: true,
          },
          now,
        );
        try {
          const request = await tx.officeHoursRequest.create({
            data: {
              operatorId,
              topic,
              notes: input.notes ?? null,
              month,
              activeMonthKey,
              candidateSlots: JSON.stringify(slots),
              meetingTool: tool,
              meetingUrl: input.meetingUrl ?? null,
              supportTicketId: ticket.id,
              createdAt: now,
            },
          });
          audit.targetIds.push(globalIdOf("OfficeHoursRequest", request.id), ticket.globalId);
          return { request };
        } catch (error) {
          // Two requests in one month at once: the unique month key lets exactly one through.
          if (isMonthTaken(error)) refuse(taken);
          throw error;
        }
      }),
  }),
);

builder.mutationField("cancelOfficeHoursRequest", (t) =>
  t.field({
    type: OfficeHoursRequestPayload,
    description: "Cancels a request; its month is free again (P3).",
    args: { input: t.arg({ type: CancelOfficeHoursRequestInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "cancelOfficeHoursRequest", async ({ tx, audit }) => {
        auditTargets(audit, "OfficeHoursRequest", [input.requestId]);
        const field = ["input", "requestId"];
        const id = rowIdOf("OfficeHoursRequest", input.requestId);
        const request = id ? await tx.officeHoursRequest.findUnique({ where: { id } }) : null;
        if (!request) refuse(userError("NOT_FOUND", "No such office-hours request.", field));
        if (request.status === "CANCELED" || request.status === "COMPLETED") refuse(userError("INVALID_INPUT", `The request is already ${request.status}.`, field));
        const now = ctx.clock.now();
        const changed = await tx.officeHoursRequest.updateMany({
          where: { id: request.id, status: request.status },
          data: { status: "CANCELED", canceledAt: now, activeMonthKey: null },
        });
        if (changed.count !== 1) refuse(userError("INVALID_INPUT", "The request changed meanwhile; look again.", field));
        await tx.supportTicket.update({
          where: { id: request.supportTicketId },
          data: { messages: { create: { author: "CUSTOMER", body: "The office-hours request was canceled.", createdAt: now } } },
        });
        return { request };
      }),
  }),
);
