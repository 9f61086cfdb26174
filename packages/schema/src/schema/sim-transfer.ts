// T1–T10: transferring READY SIMs to another operator, and the paid application for the rest.
import type { Context } from "../context.ts";
import type { Tx } from "../db/database.ts";
import { chunked } from "../db/chunks.ts";
import { digestToken, newToken } from "../domain/credentials.ts";
import { checkEmailSyntax, normalizeEmail } from "../domain/email-address.ts";
import { isOperatorId } from "../domain/operator-id.ts";
import { MAX_BULK_SIMS } from "../domain/sim-inventory.ts";
import { tokyoDate } from "../domain/tokyo-time.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { enqueueMail } from "../mail/outbox.ts";
import { simTransferTokenMail } from "../mail/templates.ts";
import { lockSims } from "../sims/lock.ts";
import { lockNamedSims } from "./named-sims.ts";
import { LISTED_FOREVER } from "../sims/status-change.ts";
import { lockTransfer, releaseTransfer } from "../sims/transfer.ts";
import { openTicket } from "../support/tickets.ts";
import { auditTargets, audited, refuse, refuseIf, type AuditDraft } from "./audited-mutation.ts";
import { builder } from "./builder.ts";
import { aboveRule } from "./input-bounds.ts";
import { globalIdOf, rowIdOf } from "./global-id.ts";
import { OperatorRef } from "./operator.ts";
import { SimRef } from "./sim.ts";
import { SupportTicketPayload } from "./support-ticket.ts";
import { UserErrorRef } from "./user-error.ts";

const TOKEN_PREFIX = "sgx";

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
      select: { items: { select: { imsi: true }, orderBy: { position: "asc" } } },
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
    note: t.string({ required: false, description: `Anything support should know (INVALID_INPUT past ${NOTE_MAX.toLocaleString("en")} characters).`, extensions: { maxLength: aboveRule(NOTE_MAX) } }),
  }),
});

/** T2: the destination must match one operator other than the caller; no hint which part failed. */
async function destinationOf(raw: Tx, ctx: Context, operatorId: string, email: string): Promise<{ id: string; operatorId: string; primary: string } | UserError> {
  const invalid = userError("TRANSFER_DESTINATION_INVALID", "The destination operator ID and primary address do not match an operator.", ["input"]);
  if (!isOperatorId(operatorId)) return invalid;
  // Another operator's row: the platform's look-up, not the tenant's (on the same transaction).
  const found = await raw.operator.findUnique({
    where: { operatorId },
    select: { id: true, operatorId: true, emailAddresses: { where: { primaryOf: { not: null } }, select: { address: true, normalized: true } } },
  });
  if (found?.id === ctx.viewer!.id) return userError("TRANSFER_TO_SELF", "SIMs cannot be transferred to their own operator.", ["input", "destinationOperatorId"]);
  const primary = found?.emailAddresses[0];
  if (!found || !primary || checkEmailSyntax(email, []) !== null || primary.normalized !== normalizeEmail(email)) return invalid;
  return { id: found.id, operatorId: found.operatorId, primary: primary.address };
}

/** A transfer or application names at least one SIM (bulk limits and NOT_FOUND: lockNamedSims). */
async function namedSims(tx: Tx, ctx: Context, audit: AuditDraft, simIds: readonly string[]) {
  if (simIds.length === 0) refuse(userError("INVALID_INPUT", "Name at least one SIM.", ["input", "simIds"]));
  const named = await lockNamedSims(tx, ctx, audit, simIds);
  return { sims: named.map((n) => n.sim), errors: named.flatMap((n) => (n.error ? [n.error] : [])) };
}

builder.mutationField("issueSimTransfer", (t) =>
  t.field({
    type: SimTransferPayload,
    authScopes: { operator: true },
    description:
      "Offers READY SIMs to another operator (T1–T3): every SIM becomes TRANSFERRING and a one-time token is mailed to the " +
      "destination's primary address. Any SIM that is not READY refuses the whole batch (SIM_NOT_READY, with its input path).",
    args: { input: t.arg({ type: IssueSimTransferInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "issueSimTransfer", async ({ tx, raw, audit }) => {
        const destination = await destinationOf(raw, ctx, input.destinationOperatorId, input.destinationEmail);
        const { sims, errors } = await namedSims(tx, ctx, audit, input.simIds);
        sims.forEach((sim, i) => {
          if (sim && sim.status !== "READY") {
            errors.push(userError("SIM_NOT_READY", `A ${sim.status} SIM can only be transferred by application to support (T1, T9).`, ["input", "simIds", String(i)]));
          }
        });
        refuseIf(["id" in destination ? null : destination, ...errors]);
        const chosen = sims.map((s) => s!);
        const dest = destination as Exclude<typeof destination, UserError>;
        const now = ctx.clock.now();
        const { token, digest } = newToken(TOKEN_PREFIX);
        const expiresAt = new Date(now.getTime() + ctx.settings.transferTtlHours * 3_600_000);
        const transfer = await tx.simTransfer.create({
          data: {
            sourceOperatorId: ctx.viewer!.id,
            destinationOperatorId: dest.id,
            destinationEmail: input.destinationEmail.trim(),
            tokenHash: digest,
            createdAt: now,
            expiresAt,
            items: { create: chosen.map((s, position) => ({ simId: s.id, imsi: s.imsi, position })) },
          },
        });
        let moved = 0;
        for (const ids of chunked(chosen.map((s) => s.id))) {
          // Guarded by status: a SIM another transfer took first is not taken twice.
          const r = await tx.sim.updateMany({ where: { id: { in: ids }, status: "READY", pendingTransferId: null }, data: { status: "TRANSFERRING", pendingTransferId: transfer.id } });
          moved += r.count;
        }
        if (moved !== chosen.length) refuse(userError("SIM_NOT_READY", "A SIM of the batch changed meanwhile; try again.", ["input", "simIds"]));
        await tx.simStatusChange.createMany({
          data: chosen.map((s) => ({ simId: s.id, operatorId: ctx.viewer!.id, from: "READY" as const, to: "TRANSFERRING" as const, at: now, cause: "TRANSFER" as const })),
        });
        const source = await tx.operator.findUniqueOrThrow({ where: { id: ctx.viewer!.id }, select: { operatorId: true } });
        await enqueueMail(tx, ctx.viewer!.id, simTransferTokenMail(dest.primary, source.operatorId, chosen.map((s) => s.imsi), token, expiresAt), now);
        audit.targetIds.unshift(globalIdOf("SimTransfer", transfer.id));
        return { transfer };
      }),
  }),
);

type Decision = { token?: string | null; transferId?: string | null };

/** The pending incoming transfer a decision names, locked; or the refusal T10 and O4 call for. */
async function decidedTransfer(tx: Tx, ctx: Context, audit: AuditDraft, input: Decision) {
  if ((input.token == null) === (input.transferId == null)) {
    refuse(userError("INVALID_INPUT", "Give exactly one of token and transferId.", ["input"]));
  }
  const now = ctx.clock.now();
  if (input.token != null) {
    // Malformed, unknown, used, expired or another operator's: one answer, no oracle.
    const invalid = userError("TRANSFER_TOKEN_INVALID", "The token is not valid.", ["input", "token"]);
    if (!input.token.startsWith(`${TOKEN_PREFIX}_`) || input.token.length > 200) refuse(invalid);
    const found = await tx.simTransfer.findUnique({ where: { tokenHash: digestToken(input.token) }, select: { id: true } });
    if (!found) refuse(invalid);
    await lockTransfer(tx, ctx.provider, found.id);
    const transfer = await tx.simTransfer.findUnique({ where: { id: found.id } });
    if (!transfer || transfer.destinationOperatorId !== ctx.viewer!.id || transfer.status !== "PENDING" || transfer.expiresAt <= now) refuse(invalid);
    audit.targetIds.push(globalIdOf("SimTransfer", transfer.id));
    return transfer;
  }
  auditTargets(audit, "SimTransfer", [input.transferId!]);
  const id = rowIdOf("SimTransfer", input.transferId!);
  if (id) await lockTransfer(tx, ctx.provider, id);
  const transfer = id ? await tx.simTransfer.findUnique({ where: { id } }) : null;
  // Only the destination decides: to anyone else the transfer is not one they can act on.
  if (!transfer || transfer.destinationOperatorId !== ctx.viewer!.id) refuse(userError("NOT_FOUND", "No such incoming transfer.", ["input", "transferId"]));
  if (transfer.status !== "PENDING" || transfer.expiresAt <= now) refuse(userError("TRANSFER_NOT_PENDING", `The transfer is ${transfer.status === "PENDING" ? "EXPIRED" : transfer.status}.`, ["input", "transferId"]));
  return transfer;
}

builder.mutationField("acceptSimTransfer", (t) =>
  t.field({
    type: SimTransferPayload,
    authScopes: { operator: true },
    description:
      "By the destination, with the mailed token or the transfer's ID (T3, T6, T7): needs a payment method; moves every SIM " +
      "at once, READY, with name, tags, expiry and protection reset. Fails with TRANSFER_SIM_STATUS_CHANGED if a SIM left TRANSFERRING (T4).",
    args: { input: t.arg({ type: SimTransferDecisionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "acceptSimTransfer",
        async ({ tx, audit }) => {
          const transfer = await decidedTransfer(tx, ctx, audit, input);
          const me = await tx.operator.findUniqueOrThrow({ where: { id: ctx.viewer!.id }, select: { paymentMethodType: true } });
          if (!me.paymentMethodType) refuse(userError("PAYMENT_METHOD_REQUIRED", "Register a payment method before accepting SIMs (T6).", ["input"]));
          const items = await tx.simTransferItem.findMany({ where: { transferId: transfer.id }, select: { simId: true } });
          const ids = items.map((i) => i.simId);
          await lockSims(tx, ctx.provider, ids);
          let held = 0;
          for (const part of chunked(ids)) {
            held += await tx.sim.count({ where: { id: { in: part }, status: "TRANSFERRING", pendingTransferId: transfer.id, operatorId: transfer.sourceOperatorId } });
          }
          if (held !== ids.length) {
            refuse(userError("TRANSFER_SIM_STATUS_CHANGED", "A SIM of the batch left TRANSFERRING (a session or an expiry); the source must cancel (T4).", ["input"]));
          }
          const now = ctx.clock.now();
          const transferDate = tokyoDate(now);
          const claimed = await tx.simTransfer.updateMany({
            where: { id: transfer.id, status: "PENDING" },
            data: { status: "ACCEPTED", acceptedAt: now, transferDate, tokenHash: null },
          });
          if (claimed.count !== 1) refuse(userError("TRANSFER_NOT_PENDING", "The transfer is no longer pending.", ["input"]));
          for (const part of chunked(ids)) {
            // T7: settings are not carried over.
            await tx.sim.updateMany({
              where: { id: { in: part } },
              data: {
                operatorId: ctx.viewer!.id,
                status: "READY",
                pendingTransferId: null,
                name: "",
                nameKey: "",
                terminationProtected: true,
                expiresAt: null,
                expiryAction: null,
                expiryAppliedAt: null,
                sessionOnline: false,
                registeredAt: now,
                ownedSince: transferDate,
                listedUntil: LISTED_FOREVER,
              },
            });
            await tx.simTag.deleteMany({ where: { simId: { in: part } } });
          }
          await tx.simStatusChange.createMany({
            data: ids.map((simId) => ({ simId, operatorId: ctx.viewer!.id, from: "TRANSFERRING" as const, to: "READY" as const, at: now, cause: "TRANSFER" as const })),
          });
          audit.operatorId = ctx.viewer!.id;
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
    authScopes: { operator: true },
    description: "By the destination, with the token or the transfer's ID: ends the whole batch; its SIMs return to READY (T10).",
    args: { input: t.arg({ type: SimTransferDecisionInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(
        ctx,
        "rejectSimTransfer",
        async ({ tx, audit }) => {
          const transfer = await decidedTransfer(tx, ctx, audit, input);
          if (!(await releaseTransfer(tx, transfer.id, "REJECTED", ctx.clock.now()))) {
            refuse(userError("TRANSFER_NOT_PENDING", "The transfer is no longer pending.", ["input"]));
          }
          return { transfer };
        },
        { unscoped: true },
      ),
  }),
);

builder.mutationField("cancelSimTransfer", (t) =>
  t.field({
    type: SimTransferPayload,
    authScopes: { operator: true },
    description: "By the source; cancels the whole batch, even if only one SIM was picked, and returns its SIMs to READY (T5).",
    args: { input: t.arg({ type: CancelSimTransferInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "cancelSimTransfer", async ({ tx, audit }) => {
        auditTargets(audit, "SimTransfer", [input.transferId]);
        const field = ["input", "transferId"];
        const id = rowIdOf("SimTransfer", input.transferId);
        if (id) await lockTransfer(tx, ctx.provider, id);
        const transfer = id ? await tx.simTransfer.findUnique({ where: { id } }) : null;
        if (!transfer || transfer.sourceOperatorId !== ctx.viewer!.id) refuse(userError("NOT_FOUND", "No such outgoing transfer.", field));
        if (transfer.status !== "PENDING") refuse(userError("TRANSFER_NOT_PENDING", `The transfer is ${transfer.status}.`, field));
        if (!(await releaseTransfer(tx, transfer.id, "CANCELED", ctx.clock.now()))) refuse(userError("TRANSFER_NOT_PENDING", "The transfer is no longer pending.", field));
        return { transfer };
      }),
  }),
);

const NOTE_MAX = 2000;

builder.mutationField("applyForSimTransfer", (t) =>
  t.field({
    type: SupportTicketPayload,
    authScopes: { operator: true },
    description:
      "T9: SIMs that are not READY can only be transferred through an application to support, with a fee. Opens a ticket " +
      "(category SIM_TRANSFER_APPLICATION) listing the SIMs and the destination.",
    args: { input: t.arg({ type: ApplyForSimTransferInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "applyForSimTransfer", async ({ tx, raw, audit }) => {
        const destination = await destinationOf(raw, ctx, input.destinationOperatorId, input.destinationEmail);
        const { sims, errors } = await namedSims(tx, ctx, audit, input.simIds);
        sims.forEach((sim, i) => {
          const field = ["input", "simIds", String(i)];
          if (!sim) return;
          if (sim.status === "TERMINATED") errors.push(userError("SIM_TERMINATED", "A terminated SIM cannot be transferred.", field));
          else if (sim.status === "TRANSFERRING") errors.push(userError("SIM_TRANSFERRING", "The SIM is already in a transfer.", field));
          else if (sim.status === "READY") errors.push(userError("INVALID_INPUT", "READY SIMs transfer free and at once with issueSimTransfer (T1).", field));
        });
        if (input.note != null && input.note.length > NOTE_MAX) errors.push(userError("INVALID_INPUT", `The note is at most ${NOTE_MAX} characters.`, ["input", "note"]));
        refuseIf(["id" in destination ? null : destination, ...errors]);
        const dest = destination as Exclude<typeof destination, UserError>;
        const listed = sims.map((s) => `  ${s!.imsi} (${s!.status})`);
        const ticket = await openTicket(
          tx,
          {
            operatorId: ctx.viewer!.id,
            subject: `SIM transfer application: ${sims.length} SIM${sims.length === 1 ? "" : "s"} to ${dest.operatorId}`,
            category: "SIM_TRANSFER_APPLICATION",
            scope: "IN_SCOPE",
            body: [
              `Transfer of these SIMs to operator ${dest.operatorId} (${input.destinationEmail.trim()}):`,
              ...listed,
              "",
              "A transfer fee applies to SIMs that are not READY (T9); support confirms the amount before going ahead.",
              ...(input.note ? ["", "Note from the applicant:", input.note] : []),
            ].join("\n"),
            autoReply: true,
          },
          ctx.clock.now(),
        );
        audit.targetIds.unshift(ticket.globalId);
        return { ticket };
      }),
  }),
);

