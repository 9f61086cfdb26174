// P3: office-hours types of the contract; the support work fills them in.
import type { UserError } from "../domain/user-error.ts";
import { builder } from "./builder.ts";
import { notImplemented } from "./not-implemented.ts";
import { OperatorRef } from "./operator.ts";
import { UserErrorRef } from "./user-error.ts";

const pending = (what: string) => () => notImplemented(what);

const MeetingToolEnum = builder.enumType("MeetingTool", {
  description: "Where the meeting happens (P3).",
  values: { GOOGLE_MEET: { description: "Staff send a Google Meet URL." }, CUSTOMER_URL: { description: "The customer's own https meeting URL." } },
});
const OfficeHoursStatusEnum = builder.enumType("OfficeHoursStatus", {
  description: "Where an office-hours request stands.",
  values: ["REQUESTED", "SCHEDULED", "CANCELED", "COMPLETED"] as const,
});

const OfficeHoursSlotRef = builder.objectRef<{ startsAt: Date; durationMinutes: number }>("OfficeHoursSlot").implement({
  description: "A meeting slot.",
  fields: (t) => ({
    startsAt: t.expose("startsAt", { type: "DateTime", description: "Start." }),
    durationMinutes: t.exposeInt("durationMinutes", { description: "30 to 45 minutes." }),
  }),
});

interface Pending {
  id: string;
}

const OfficeHoursRequestRef = builder.objectRef<Pending>("OfficeHoursRequest");
builder.node(OfficeHoursRequestRef, {
  description: "A request for a web meeting with support (P3).",
  id: { resolve: (x) => x.id },
  loadOne: () => null,
  fields: (t) => ({
    status: t.field({ type: OfficeHoursStatusEnum, description: "Where it stands.", resolve: pending("OfficeHoursRequest") }),
    topic: t.string({ description: "What to talk about.", resolve: pending("OfficeHoursRequest") }),
    month: t.string({ description: "Asia/Tokyo month the request counts against, YYYY-MM (P3).", resolve: pending("OfficeHoursRequest") }),
    candidateSlots: t.field({ type: [OfficeHoursSlotRef], description: "Proposed slots.", resolve: pending("OfficeHoursRequest") }),
    scheduledSlot: t.field({ type: OfficeHoursSlotRef, nullable: true, description: "The slot staff chose.", resolve: pending("OfficeHoursRequest") }),
    meetingTool: t.field({ type: MeetingToolEnum, description: "Meeting tool.", resolve: pending("OfficeHoursRequest") }),
    meetingUrl: t.string({ nullable: true, description: "The customer's URL, with CUSTOMER_URL.", resolve: pending("OfficeHoursRequest") }),
    supportTicket: t.prismaField({ type: "SupportTicket", description: "The ticket tracking it.", resolve: pending("OfficeHoursRequest") }),
    createdAt: t.field({ type: "DateTime", description: "When it was made.", resolve: pending("OfficeHoursRequest") }),
  }),
});

const OfficeHoursRequestConnection = builder.connectionObject(
  { type: OfficeHoursRequestRef, name: "OfficeHoursRequestConnection" },
  { name: "OfficeHoursRequestEdge" },
);

builder.prismaObjectField(OperatorRef, "officeHoursRequests", (t) =>
  t.connection({ type: OfficeHoursRequestRef, description: "Office-hours requests, newest first (P3).", resolve: pending("Operator.officeHoursRequests") }, OfficeHoursRequestConnection),
);

const OfficeHoursRequestPayload = builder.objectRef<{ request?: Pending | null; userErrors: UserError[] }>("OfficeHoursRequestPayload").implement({
  description: "The request after the change; null when refused.",
  fields: (t) => ({
    request: t.field({ type: OfficeHoursRequestRef, nullable: true, description: "The request as it is now.", resolve: (p) => p.request ?? null }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const OfficeHoursSlotInput = builder.inputType("OfficeHoursSlotInput", {
  fields: (t) => ({
    startsAt: t.field({ type: "DateTime", required: true, description: "Start." }),
    durationMinutes: t.int({ required: true, description: "30 to 45." }),
  }),
});
const RequestOfficeHoursInput = builder.inputType("RequestOfficeHoursInput", {
  fields: (t) => ({
    topic: t.string({ required: true, description: "What to talk about." }),
    candidateSlots: t.field({ type: [OfficeHoursSlotInput], required: true, description: "1 to 3 slots." }),
    meetingTool: t.field({ type: MeetingToolEnum, required: false, defaultValue: "GOOGLE_MEET", description: "Meeting tool." }),
    meetingUrl: t.string({ required: false, description: "An https URL, with CUSTOMER_URL." }),
    notes: t.string({ required: false, description: "Anything else." }),
  }),
});
const CancelOfficeHoursRequestInput = builder.inputType("CancelOfficeHoursRequestInput", {
  fields: (t) => ({ requestId: t.id({ required: true, description: "The request." }) }),
});

builder.mutationFields((t) => ({
  requestOfficeHours: t.field({
    type: OfficeHoursRequestPayload,
    authScopes: { operator: true },
    description: "Requests office hours (P3).",
    args: { input: t.arg({ type: RequestOfficeHoursInput, required: true }) },
    resolve: pending("requestOfficeHours"),
  }),
  cancelOfficeHoursRequest: t.field({
    type: OfficeHoursRequestPayload,
    authScopes: { operator: true },
    description: "Cancels a request; its month is free again (P3).",
    args: { input: t.arg({ type: CancelOfficeHoursRequestInput, required: true }) },
    resolve: pending("cancelOfficeHoursRequest"),
  }),
}));
