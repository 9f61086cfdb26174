// O1: the operator (account), the signed-in viewer, and the payload most account mutations return.
import { builder } from "./builder.ts";
import { UserErrorRef } from "./user-error.ts";

export const SupportPlanEnum = builder.enumType("SupportPlan", {
  description: "Support plans (P1).",
  values: {
    BASIC: { description: "Included with every account." },
    PRIORITY: { description: "Adds best-effort help with your own devices and systems, and office hours." },
    ENTERPRISE: { description: "Everything in PRIORITY, for large deployments." },
  },
});

export const OperatorRef = builder.prismaNode("Operator", {
  id: { field: "id" },
  // Select mode: a query reads only the columns its fields need (never the password hash).
  select: { id: true },
  // node(id:) answers null, not an error, for a missing or foreign ID (O4).
  nullable: true,
  description: "An account (O1): its addresses, SIMs, transfers, support cases and audit log.",
  fields: (t) => ({
    operatorId: t.exposeString("operatorId", { description: "OP followed by 10 digits (O1)." }),
    name: t.exposeString("name", { description: "The account's display name." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When the account was signed up." }),
    supportPlan: t.expose("supportPlan", { type: SupportPlanEnum, description: "The current support plan (P1)." }),
  }),
});

export interface OperatorPayloadShape {
  operator?: { id: string } | null;
  userErrors: import("../domain/user-error.ts").UserError[];
}

export const OperatorPayload = builder.objectRef<OperatorPayloadShape>("OperatorPayload").implement({
  description: "The operator after the change; null when the change was refused.",
  fields: (t) => ({
    operator: t.prismaField({
      type: "Operator",
      nullable: true,
      description: "The operator as it is now.",
      resolve: (query, payload, _args, ctx) =>
        payload.operator ? ctx.db.operator.findUnique({ ...query, where: { id: payload.operator.id } }) : null,
    }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

builder.queryField("viewer", (t) =>
  t.prismaField({
    type: "Operator",
    nullable: true,
    description: "The signed-in operator; null without authentication.",
    resolve: (query, _root, _args, ctx) => {
      if (!ctx.viewer) return null;
      // The session already proved the operator exists: when the selection needs nothing but its
      // ID (e.g. only `sims`), skip the query.
      const select = (query as { select?: Record<string, unknown> }).select;
      if (select && Object.keys(select).every((key) => key === "id")) return { id: ctx.viewer.id } as never;
      return ctx.db.operator.findUnique({ ...query, where: { id: ctx.viewer.id } });
    },
  }),
);
