// U1: whoami, the calling principal.
import type { Viewer } from "../context.ts";
import { builder } from "./builder.ts";

const PrincipalKindEnum = builder.enumType("PrincipalKind", {
  description: "The operator's root user, or one of its users (U1).",
  values: { ROOT: { description: "The sign-up identity." }, USER: { description: "A user the root user created." } },
});

const PrincipalRef = builder.objectRef<Viewer>("Principal").implement({
  description: "Who is calling (U1).",
  fields: (t) => ({
    kind: t.field({ type: PrincipalKindEnum, description: "Root user or user.", resolve: (v) => v.principal.kind }),
    operatorId: t.string({
      description: "The operator's ID (Operator.operatorId).",
      resolve: async (v, _args, ctx) => (await ctx.db.operator.findUniqueOrThrow({ where: { id: v.id }, select: { operatorId: true } })).operatorId,
    }),
    user: t.prismaField({
      type: "User",
      nullable: true,
      description: "Null for the root user.",
      resolve: (query, v, _args, ctx) => (v.principal.kind === "USER" ? ctx.db.user.findUnique({ ...query, where: { id: v.principal.userId } }) : null),
    }),
    authKeyId: t.string({ nullable: true, description: "The auth key the token came from, if any.", resolve: (v) => v.authKeyId }),
  }),
});

builder.queryField("whoami", (t) =>
  t.field({
    type: PrincipalRef,
    nullable: true,
    description: "Who is calling (U1): the root user or a user of the operator, and the auth key used, if any; null without authentication.",
    resolve: (_root, _args, ctx) => ctx.viewer,
  }),
);
