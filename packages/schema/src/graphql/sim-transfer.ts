// T1–T10: transferring READY SIMs to another operator, and the paid application for the rest.
import type { Context } from "../context.ts";
import { APPLICATION_NOTE_MAX, judgeDecisionInput, judgeSimCount } from "../domain/sim-transfer.ts";
import { MAX_BULK_SIMS } from "../domain/sim-inventory.ts";
import type { UserError } from "../domain/user-error.ts";
import {
  acceptTransfer,
  applyForTransfer,
  cancelTransfer,
  issueTransfer,
  rejectTransfer,
  type TransferRef,
  type TransferRun,
} from "../sims/transfer-service.ts";
import { auditTargets, audited, type AuditDraft, type MutationRun } from "../audit/audited.ts";
import { refuseIf } from "../db/refusal.ts";
import { builder } from "./builder.ts";
import { aboveRule } from "./input-bounds.ts";
import { globalIdOf, rowIdOf } from "../ids/global-id.ts";
import { namedSimRowIds } from "./named-sims.ts";
import { simReadScope } from "../auth/access.ts";
import { simScopeWhere } from "../db/tenant.ts";
import { OperatorRef } from "./operator.ts";
import { SimRef } from "./sim.ts";
import { SupportTicketPayload } from "./support-ticket.ts";
import { UserErrorRef } from "./user-error.ts";

const SimTransferStatusEnum = builder.enumType("SimTransferStatus", {
  description: "Where a transfer stands (T2–T10).",
  values: {
    PENDING: { description: "Issued; its SIMs are TRANSFERRING until it is accepted, rejected, canceled or expires." },
    ACCEPTED: { description: "The destination accepted: the SIMs moved (T7)." },
    CANCELED: { description: "The source canceled it (T5)." },
    REJECTED: { description: "The destination rejected it (T10)." },
    EXPIRED: { description: "Nobody accepted it in time (T10)." },
  },
});
const SimTransferDirectionEnum = builder.enumType("SimTransferDirection", {
  description: "Outgoing (issued by the viewer) or incoming (addressed to the viewer).",
  values: { OUTGOING: { description: "Issued by the viewer." }, INCOMING: { description: "Addressed to the viewer." } },
});

export const SimTransferRef = builder.prismaNode("SimTransfer", {
  id: { field: "id" },
  // node(id:) answers null, not an error, for a missing or foreign ID (O4); both ends see it.
  nullable: true,
  description: "A batch of READY SIMs offered to another operator (T2). The token is mailed to the destination, never shown to the source (T3).",
  fields: (t) => ({
    status: t.expose("status", { type: SimTransferStatusEnum, description: "Where it stands." }),
    sourceOperatorId: t.string({ description: "The operator giving the SIMs.", select: { source: { select: { operatorId: true } } }, resolve: (x) => x.source.operatorId }),
    destinationOperatorId: t.string({
      description: "The operator receiving them.",
      select: { destination: { select: { operatorId: true } } },
      resolve: (x) => x.destination.operatorId,
    }),
    destinationEmail: t.exposeString("destinationEmail", { description: "The destination's primary address as the source gave it." }),
    imsis: t.stringList({
      description: "The SIMs of the batch, in the order the source named them.",
      // U4: a user sees the batch's SIMs it may read, as everywhere else.
      select: (_args, ctx) => ({ items: { select: { imsi: true }, orderBy: { position: "asc" }, where: transferItemScope(ctx) } }),
      resolve: (x) => x.items.map((i) => i.imsi),
    }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was issued." }),
    expiresAt: t.expose("expiresAt", { type: "DateTime", description: "When it lapses if not accepted (T10)." }),
    acceptedAt: t.expose("acceptedAt", { type: "DateTime", nullable: true, description: "When it was accepted." }),
    canceledAt: t.expose("canceledAt", { type: "DateTime", nullable: true, description: "When it was canceled, rejected or expired." }),
    transferDate: t.field({
      type: "Date",
      nullable: true,
      description: "T8: the Asia/Tokyo date ownership moved; set once accepted. The source pays base fees up to the day before.",
      select: { transferDate: true },
      resolve: (x) => x.transferDate,
    }),
  }),
});

/** U4: the items of a batch a user sees are those whose SIM it may read (null: all, for the root). */
function transferItemScope(ctx: Context) {
  const scope = simReadScope(ctx.viewer);
  return scope ? { sim: { is: simScopeWhere(scope, ctx.viewer!.id) } } : undefined;
}

const SimTransferConnection = builder.connectionObject({ type: SimTransferRef, name: "SimTransferConnection" }, { name: "SimTransferEdge" });

builder.prismaObjectField(OperatorRef, "simTransfers", (t) =>
  t.prismaConnection(
    {
      type: "SimTransfer",
      cursor: "id",
      description: "Transfers issued by (OUTGOING) or addressed to (INCOMING) the operator, newest first.",
      args: {
        direction: t.arg({ type: SimTransferDirectionEnum, required: true }),
        status: t.arg({ type: SimTransferStatusEnum, required: false, description: "Only transfers in this status." }),
      },
      resolve: (query, operator, args, ctx) =>
        ctx.db.simTransfer.findMany({ ...query, where: transfersWhere(operator.id, args), orderBy: [{ createdAt: "desc" }, { id: "desc" }] }),
      totalCount: (operator, args, ctx) => ctx.db.simTransfer.count({ where: transfersWhere(operator.id, args) }),
    },
    SimTransferConnection,
  ),
);

function transfersWhere(operatorRowId: string, args: { direction: "OUTGOING" | "INCOMING"; status?: string | null }) {
  return {
    [args.direction === "OUTGOING" ? "sourceOperatorId" : "destinationOperatorId"]: operatorRowId,
    ...(args.status ? { status: args.status as "PENDING" } : {}),
  };
}

builder.prismaObjectField(SimRef, "pendingTransfer", (t) =>
  t.relation("pendingTransfer", { nullable: true, description: "The pending transfer holding this SIM, if any (T3)." }),
);

interface TransferPayloadShape {
  transfer?: { id: string } | null;
  userErrors: UserError[];
}

const SimTransferPayload = builder.objectRef<TransferPayloadShape>("SimTransferPayload").implement({
  description: "The transfer after the change; null when refused.",
  fields: (t) => ({
    transfer: t.prismaField({
      type: "SimTransfer",
      nullable: true,
      description: "The transfer as it is now.",
      resolve: (query, p, _args, ctx) => (p.transfer ? ctx.unscopedDb.simTransfer.findUnique({ ...query, where: { id: p.transfer.id } }) : null),
    }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const IssueSimTransferInput = builder.inputType("IssueSimTransferInput", {
  fields: (t) => ({
    simIds: t.idList({ required: true, description: `READY SIMs, 1 to ${MAX_BULK_SIMS.toLocaleString("en")} (TOO_MANY_ITEMS above).`, extensions: { maxItems: aboveRule(MAX_BULK_SIMS) } }),
    destinationOperatorId: t.string({ required: true, description: "OP followed by 10 digits." }),
    destinationEmail: t.string({ required: true, description: "The destination's primary (registered) address." }),
  }),
});
const SimTransferDecisionInput = builder.inputType("SimTransferDecisionInput", {
  description: "Exactly one of token and transferId.",
  fields: (t) => ({
    token: t.string({ required: false, description: "The mailed token." }),
    transferId: t.id({ required: false, description: "The transfer, when signed in as its destination." }),
  }),
});
const CancelSimTransferInput = builder.inputType("CancelSimTransferInput", {
  fields: (t) => ({ transferId: t.id({ required: true, description: "The transfer (outgoing)." }) }),
});
const ApplyForSimTransferInput = builder.inputType("ApplyForSimTransferInput", {
  fields: (t) => ({
    simIds: t.idList({ required: true, description: `SIMs that are not READY (ACTIVE, INACTIVE, STANDBY, SUSPENDED), 1 to ${MAX_BULK_SIMS.toLocaleString("en")} (TOO_MANY_ITEMS above).`, extensions: { maxItems: aboveRule(MAX_BULK_SIMS) } }),
    destinationOperatorId: t.string({ required: true, description: "OP followed by 10 digits." }),
    destinationEmail: t.string({ required: true, description: "The destination's primary address." }),
    note: t.string({ required: false, description: `Anything support should know (INVALID_INPUT past ${APPLICATION_NOTE_MAX.toLocaleString("en")} characters).`, extensions: { maxLength: aboveRule(APPLICATION_NOTE_MAX) } }),
  }),
});

/** The transfer service's view of this request: its transaction, the viewer, one "now". */
function transferRun(ctx: Context, run: MutationRun): TransferRun {
  return { tx: run.tx, raw: run.raw, provider: ctx.provider, viewerId: ctx.viewer!.id, principal: ctx.viewer!.principal, actor: run.audit.actor, now: ctx.clock.now() };
}

/** A transfer or application names 1 to MAX_BULK_SIMS SIMs; they become audit targets. */
async function simRowIds(audit: AuditDraft, simIds: readonly string[]) {
  refuseIf([judgeSimCount(simIds.length)]);
  return namedSimRowIds(audit, simIds);
}

type Decision = { token?: string | null; transferId?: string | null };

/** How a decision names its transfer; a transfer ID is an audit target as given. */
function transferRef(audit: AuditDraft, input: Decision): TransferRef {
  refuseIf([judgeDecisionInput(input)]);
  if (input.token != null) return { token: input.token };
  auditTargets(audit, "SimTransfer", [input.transferId!]);
  return { transferRowId: rowIdOf("SimTransfer", input.transferId!) };
}

builder.mutationField("issueSimTransfer", (t) =>
  t.field({
    type: SimTransferPayload,
    description:
      "Offers READY SIMs to another operator (T1–T3): every SIM becomes TRANSFERRING and a one-time token is mailed to the " +
      "destination's primary address. Any SIM that is not READY refuses the whole batch (SIM_NOT_READY, with its input path).",
    args: { input: t.arg({ type: IssueSimTransferInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "issueSimTransfer", async (run) => {
        const simRowIdList = await simRowIds(run.audit, input.simIds);
        const transfer = await issueTransfer(transferRun(ctx, run), {
          simRowIds: simRowIdList,
          destinationOperatorId: input.destinationOperatorId,
          destinationEmail: input.destinationEmail,
          ttlHours: ctx.settings.transferTtlHours,
        });
        run.audit.targetIds.unshift(globalIdOf("SimTransfer", transfer.id));
        return { transfer };
      }),
  }),
);

builder.mutationField("acceptSimTransfer", (t) =>
  t.field({
    type: SimTransferPayload,
    description:
      "By the destination, with the mailed token or the transfer's ID (T3, T6, T7): needs a payment method; moves every SIM " +
      "at once, READY, with name, tags, expiry and protection reset. Fails with TRANSFER_SIM_STATUS_CHANGED if a SIM left TRANSFERRING (T4).",
    args: { input: t.arg({ type: SimTransferDecisionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "acceptSimTransfer",
        async (run) => {
          const named = (id: string) => void run.audit.targetIds.push(globalIdOf("SimTransfer", id));
          const transfer = await acceptTransfer(transferRun(ctx, run), transferRef(run.audit, input), named);
          run.audit.operatorId = ctx.viewer!.id;
          return { transfer };
        },
        // The SIMs still belong to the source until this moment: the tenant client would not see them.
        { unscoped: true },
      ),
  }),
);

builder.mutationField("rejectSimTransfer", (t) =>
  t.field({
    type: SimTransferPayload,
    description: "By the destination, with the token or the transfer's ID: ends the whole batch; its SIMs return to READY (T10).",
    args: { input: t.arg({ type: SimTransferDecisionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "rejectSimTransfer",
        async (run) => {
          const named = (id: string) => void run.audit.targetIds.push(globalIdOf("SimTransfer", id));
          const transfer = await rejectTransfer(transferRun(ctx, run), transferRef(run.audit, input), named);
          return { transfer };
        },
        { unscoped: true },
      ),
  }),
);

builder.mutationField("cancelSimTransfer", (t) =>
  t.field({
    type: SimTransferPayload,
    description: "By the source; cancels the whole batch, even if only one SIM was picked, and returns its SIMs to READY (T5).",
    args: { input: t.arg({ type: CancelSimTransferInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "cancelSimTransfer", async (run) => {
        auditTargets(run.audit, "SimTransfer", [input.transferId]);
        const transfer = await cancelTransfer(transferRun(ctx, run), rowIdOf("SimTransfer", input.transferId));
        return { transfer };
      }),
  }),
);

builder.mutationField("applyForSimTransfer", (t) =>
  t.field({
    type: SupportTicketPayload,
    description:
      "T9: SIMs that are not READY can only be transferred through an application to support, with a fee. Opens a ticket " +
      "(category SIM_TRANSFER_APPLICATION) listing the SIMs and the destination.",
    args: { input: t.arg({ type: ApplyForSimTransferInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "applyForSimTransfer", async (run) => {
        const simRowIdList = await simRowIds(run.audit, input.simIds);
        const { ticket } = await applyForTransfer(transferRun(ctx, run), {
          simRowIds: simRowIdList,
          destinationOperatorId: input.destinationOperatorId,
          destinationEmail: input.destinationEmail,
          note: input.note,
        });
        run.audit.targetIds.unshift(ticket.globalId);
        return { ticket };
      }),
  }),
);

