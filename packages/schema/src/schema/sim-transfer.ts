// T: SIM transfer types of the contract; the transfer work fills them in.
import type { UserError } from "../domain/user-error.ts";
import { builder } from "./builder.ts";
import { notImplemented } from "./not-implemented.ts";
import { OperatorRef } from "./operator.ts";
import { SimRef } from "./sim.ts";
import { SupportTicketPayload } from "./support-ticket.ts";
import { UserErrorRef } from "./user-error.ts";

const pending = (what: string) => () => notImplemented(what);

const SimTransferStatusEnum = builder.enumType("SimTransferStatus", {
  description: "Where a transfer stands (T2–T10).",
  values: ["PENDING", "ACCEPTED", "CANCELED", "REJECTED", "EXPIRED"] as const,
});
const SimTransferDirectionEnum = builder.enumType("SimTransferDirection", {
  description: "Outgoing (issued by the viewer) or incoming (addressed to the viewer).",
  values: ["OUTGOING", "INCOMING"] as const,
});

interface Pending {
  id: string;
}

export const SimTransferRef = builder.objectRef<Pending>("SimTransfer");
builder.node(SimTransferRef, {
  description: "A batch of READY SIMs offered to another operator (T2).",
  id: { resolve: (x) => x.id },
  loadOne: () => null,
  fields: (t) => ({
    status: t.field({ type: SimTransferStatusEnum, description: "Where it stands.", resolve: pending("SimTransfer") }),
    sourceOperatorId: t.string({ description: "The operator giving the SIMs.", resolve: pending("SimTransfer") }),
    destinationOperatorId: t.string({ description: "The operator receiving them.", resolve: pending("SimTransfer") }),
    destinationEmail: t.string({ description: "The destination's primary address as given.", resolve: pending("SimTransfer") }),
    imsis: t.stringList({ description: "The SIMs of the batch.", resolve: pending("SimTransfer") }),
    createdAt: t.field({ type: "DateTime", description: "When it was issued.", resolve: pending("SimTransfer") }),
    expiresAt: t.field({ type: "DateTime", description: "When it lapses if not accepted (T10).", resolve: pending("SimTransfer") }),
    acceptedAt: t.field({ type: "DateTime", nullable: true, description: "When it was accepted.", resolve: pending("SimTransfer") }),
    canceledAt: t.field({ type: "DateTime", nullable: true, description: "When it was canceled.", resolve: pending("SimTransfer") }),
    transferDate: t.field({ type: "Date", nullable: true, description: "T8: the Asia/Tokyo date ownership moved; set once accepted.", resolve: pending("SimTransfer") }),
  }),
});

const SimTransferConnection = builder.connectionObject({ type: SimTransferRef, name: "SimTransferConnection" }, { name: "SimTransferEdge" });

builder.prismaObjectField(OperatorRef, "simTransfers", (t) =>
  t.connection(
    {
      type: SimTransferRef,
      description: "Transfers issued by (OUTGOING) or addressed to (INCOMING) the operator.",
      args: {
        direction: t.arg({ type: SimTransferDirectionEnum, required: true }),
        status: t.arg({ type: SimTransferStatusEnum, required: false }),
      },
      resolve: pending("Operator.simTransfers"),
    },
    SimTransferConnection,
  ),
);

builder.prismaObjectField(SimRef, "pendingTransfer", (t) =>
  t.field({
    type: SimTransferRef,
    nullable: true,
    description: "The pending transfer holding this SIM, if any.",
    // Transfers arrive with the transfer work; until then no SIM is in one.
    resolve: () => null,
  }),
);

const SimTransferPayload = builder.objectRef<{ transfer?: Pending | null; userErrors: UserError[] }>("SimTransferPayload").implement({
  description: "The transfer after the change; null when refused.",
  fields: (t) => ({
    transfer: t.field({ type: SimTransferRef, nullable: true, description: "The transfer as it is now.", resolve: (p) => p.transfer ?? null }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const IssueSimTransferInput = builder.inputType("IssueSimTransferInput", {
  fields: (t) => ({
    simIds: t.idList({ required: true, description: "READY SIMs, up to 1,000." }),
    destinationOperatorId: t.string({ required: true, description: "OP followed by 10 digits." }),
    destinationEmail: t.string({ required: true, description: "The destination's primary address." }),
  }),
});
const SimTransferDecisionInput = builder.inputType("SimTransferDecisionInput", {
  description: "Exactly one of token and transferId.",
  fields: (t) => ({
    token: t.string({ required: false, description: "The mailed token." }),
    transferId: t.id({ required: false, description: "The transfer, when signed in as the destination." }),
  }),
});
const CancelSimTransferInput = builder.inputType("CancelSimTransferInput", {
  fields: (t) => ({ transferId: t.id({ required: true, description: "The transfer." }) }),
});
const ApplyForSimTransferInput = builder.inputType("ApplyForSimTransferInput", {
  fields: (t) => ({
    simIds: t.idList({ required: true, description: "SIMs that are not READY." }),
    destinationOperatorId: t.string({ required: true, description: "OP followed by 10 digits." }),
    destinationEmail: t.string({ required: true, description: "The destination's primary address." }),
    note: t.string({ required: false, description: "Anything support should know." }),
  }),
});

builder.mutationFields((t) => ({
  issueSimTransfer: t.field({
    type: SimTransferPayload,
    authScopes: { operator: true },
    description: "Offers READY SIMs to another operator (T1–T3).",
    args: { input: t.arg({ type: IssueSimTransferInput, required: true }) },
    resolve: pending("issueSimTransfer"),
  }),
  acceptSimTransfer: t.field({
    type: SimTransferPayload,
    description: "By the destination, with the mailed token or the transfer's ID.",
    args: { input: t.arg({ type: SimTransferDecisionInput, required: true }) },
    resolve: pending("acceptSimTransfer"),
  }),
  rejectSimTransfer: t.field({
    type: SimTransferPayload,
    description: "By the destination: ends the whole batch (T10).",
    args: { input: t.arg({ type: SimTransferDecisionInput, required: true }) },
    resolve: pending("rejectSimTransfer"),
  }),
  cancelSimTransfer: t.field({
    type: SimTransferPayload,
    authScopes: { operator: true },
    description: "By the source; cancels the whole batch (T5).",
    args: { input: t.arg({ type: CancelSimTransferInput, required: true }) },
    resolve: pending("cancelSimTransfer"),
  }),
  applyForSimTransfer: t.field({
    type: SupportTicketPayload,
    authScopes: { operator: true },
    description: "T9: SIMs that are not READY.",
    args: { input: t.arg({ type: ApplyForSimTransferInput, required: true }) },
    resolve: pending("applyForSimTransfer"),
  }),
}));
