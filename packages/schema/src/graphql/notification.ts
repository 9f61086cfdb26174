// E10 routing as seen by the operator, and the mail outbox as seen by the administrator (O5).
import type { Prisma } from "../db/generated/sqlite/client.ts";
import { notificationKinds, recipientsFor, THRESHOLD_PLANS, type Recipients } from "../domain/notification-routing.ts";
import { GraphQLError } from "graphql";
import { builder } from "./builder.ts";
import { OperatorRef } from "./operator.ts";

export const NotificationKindEnum = builder.enumType("NotificationKind", {
  description: "Kinds of mail the platform sends; routing per kind follows E10.",
  values: notificationKinds,
});

const NotificationRecipientsRef = builder.objectRef<Recipients>("NotificationRecipients").implement({
  description: "Who receives mail of one kind (E10): To and CC, deduplicated, primary first.",
  fields: (t) => ({
    kind: t.field({ type: NotificationKindEnum, description: "The kind asked about.", resolve: (r) => r.kind }),
    to: t.exposeStringList("to", { description: "Addresses in To." }),
    cc: t.exposeStringList("cc", { description: "Addresses in CC (never repeating To)." }),
    applicable: t.exposeBoolean("applicable", {
      description: "False where the kind does not apply to this operator (e.g. INVOICE for a card payer); To and CC are then empty.",
    }),
  }),
});

builder.prismaObjectField(OperatorRef, "notificationRecipients", (t) =>
  t.field({
    type: NotificationRecipientsRef,
    description: "Who receives mail of this kind (E10).",
    args: { kind: t.arg({ type: NotificationKindEnum, required: true }) },
    select: {
      id: true,
      paymentMethodType: true,
      invoiceDeliveryMethod: true,
      invoiceEmail: true,
      emailAddresses: {
        select: { address: true, primaryOf: true, isRecovery: true, isBilling: true, isSupport: true, verifiedAt: true },
        orderBy: { createdAt: "asc" },
      },
    },
    resolve: async (op, { kind }, ctx) => {
      const addresses = op.emailAddresses;
      const liveSim = (where: Prisma.SimWhereInput) =>
        ctx.db.sim.findFirst({ where: { ...where, operatorId: op.id, status: { not: "TERMINATED" } }, select: { id: true } }).then(Boolean);
      const primary = addresses.find((a) => a.primaryOf !== null)!;
      return recipientsFor(kind, {
        primary: primary.address,
        recovery: addresses.find((a) => a.isRecovery)?.address ?? null,
        billing: addresses.filter((a) => a.isBilling).map((a) => a.address),
        support: addresses.filter((a) => a.isSupport).map((a) => a.address),
        unverified: addresses.filter((a) => a.verifiedAt === null).map((a) => a.address),
        paymentMethod: op.paymentMethodType,
        invoice: op.invoiceDeliveryMethod && op.invoiceEmail ? { deliveryMethod: op.invoiceDeliveryMethod, invoiceEmail: op.invoiceEmail } : null,
        hasGlobalSims: kind === "MONTHLY_BILLING_STATEMENT" && (await liveSim({ coverage: "GLOBAL" })),
        hasThresholdPlanSims: kind === "TRAFFIC_THRESHOLD" && (await liveSim({ subscription: { in: [...THRESHOLD_PLANS] } })),
      });
    },
  }),
);

interface OutboxRow {
  id: string;
  kind: string;
  to: string;
  cc: string;
  subject: string;
  body: string;
  token: string | null;
  createdAt: Date;
}

const OutboxMessageRef = builder.objectRef<OutboxRow>("OutboxMessage").implement({
  description: "A mail the server sent or queued (O5: administrator only).",
  fields: (t) => ({
    id: t.exposeID("id", { description: "The message's ID." }),
    kind: t.field({ type: NotificationKindEnum, description: "What the mail is about.", resolve: (m) => m.kind as Recipients["kind"] }),
    to: t.stringList({ description: "Addresses in To.", resolve: (m) => JSON.parse(m.to) as string[] }),
    cc: t.stringList({ description: "Addresses in CC.", resolve: (m) => JSON.parse(m.cc) as string[] }),
    subject: t.exposeString("subject", { description: "Subject line." }),
    body: t.exposeString("body", { description: "Plain-text body." }),
    token: t.exposeString("token", { nullable: true, description: "The one-time token the mail carries (verification, transfer, recovery), if any." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was queued." }),
  }),
});

export const ADMIN_OUTBOX_MAX = 1000;

builder.queryField("adminOutbox", (t) =>
  t.field({
    type: [OutboxMessageRef],
    description: "Administrator only (O5): mail that the server sent or queued, newest first.",
    args: {
      to: t.arg.string({ required: false, description: "Only mail addressed (To or CC) to this address." }),
      kind: t.arg({ type: NotificationKindEnum, required: false, description: "Only mail of this kind." }),
      first: t.arg.int({ required: false, defaultValue: 50, description: `How many, 1 to ${ADMIN_OUTBOX_MAX}.` }),
    },
    resolve: (_root, args, ctx) => {
      const first = args.first ?? 50;
      if (first < 1 || first > ADMIN_OUTBOX_MAX) {
        throw new GraphQLError(`first must be between 1 and ${ADMIN_OUTBOX_MAX}.`, { extensions: { code: "BAD_USER_INPUT" } });
      }
      const quoted = args.to ? JSON.stringify(args.to.trim().toLowerCase()) : null;
      return ctx.unscopedDb.outboxMessage.findMany({
        where: {
          ...(args.kind ? { kind: args.kind } : {}),
          ...(quoted ? { OR: [{ to: { contains: quoted } }, { cc: { contains: quoted } }] } : {}),
        },
        orderBy: [{ createdAt: "desc" }, { id: "desc" }],
        take: first,
      });
    },
  }),
);
