// O6: the operator's audit log, newest first.
import type { Prisma } from "../db/generated/sqlite/client.ts";
import { builder } from "./builder.ts";
import { OperatorRef } from "./operator.ts";
import { UserErrorCodeEnum } from "./user-error.ts";
import type { UserErrorCode } from "../domain/user-error.ts";

const AuditResultEnum = builder.enumType("AuditResult", {
  description: "Whether the mutation took effect.",
  values: { SUCCEEDED: { description: "It took effect." }, REFUSED: { description: "It was refused; nothing changed." } },
});

const AuditLogEntryRef = builder.prismaNode("AuditLogEntry", {
  id: { field: "id" },
  // node(id:) answers null, not an error, for a missing or foreign ID (O4).
  nullable: true,
  description: "One mutation, succeeded or refused (O6).",
  fields: (t) => ({
    at: t.expose("at", { type: "DateTime", description: "When it ran." }),
    action: t.exposeString("action", { description: "The mutation's name, e.g. terminateSim." }),
    actor: t.exposeString("actor", { description: "The root user's address or the auth key ID that acted." }),
    targetIds: t.idList({ description: "IDs of the objects acted on.", resolve: (e) => JSON.parse(e.targetIds) as string[] }),
    result: t.expose("result", { type: AuditResultEnum, description: "SUCCEEDED or REFUSED." }),
    errorCodes: t.field({
      type: [UserErrorCodeEnum],
      description: "Why it was refused; empty when it succeeded.",
      resolve: (e) => JSON.parse(e.errorCodes) as UserErrorCode[],
    }),
  }),
});

const AuditLogFilter = builder.inputType("AuditLogFilter", {
  description: "Every given condition must hold.",
  fields: (t) => ({
    action: t.string({ required: false, description: "Only this mutation, e.g. setEmailRole." }),
    targetId: t.id({ required: false, description: "Only entries acting on this ID." }),
    since: t.field({ type: "DateTime", required: false, description: "At or after this instant." }),
    until: t.field({ type: "DateTime", required: false, description: "Before this instant." }),
  }),
});

const AuditLogEntryConnection = builder.connectionObject({ type: AuditLogEntryRef, name: "AuditLogEntryConnection" }, { name: "AuditLogEntryEdge" });

builder.prismaObjectField(OperatorRef, "auditLog", (t) =>
  t.relatedConnection(
    "auditLog",
    {
      description: "Every mutation of this operator, succeeded or refused, newest first (O6).",
      cursor: "id",
      totalCount: true,
      args: { filter: t.arg({ type: AuditLogFilter, required: false }) },
      query: ({ filter }) => {
        const where: Prisma.AuditLogEntryWhereInput = {};
        if (filter?.action) where.action = filter.action;
        // Stored as a JSON array: the quoted ID matches whole elements only.
        if (filter?.targetId) where.targetIds = { contains: JSON.stringify(filter.targetId) };
        if (filter?.since || filter?.until) where.at = { ...(filter.since ? { gte: filter.since } : {}), ...(filter.until ? { lt: filter.until } : {}) };
        return { where, orderBy: { id: "desc" } };
      },
    },
    AuditLogEntryConnection,
  ),
);
