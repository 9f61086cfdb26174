// G1–G3: SIM groups, the operator's listing of them, a SIM's group, and the mutations. The rules
// are in domain/sim-group.ts, the transactions in groups/sim-groups.ts.
import type { Context } from "../context.ts";
import type { Tx } from "../db/database.ts";
import { GROUP_DESCRIPTION_MAX, MAX_GROUP_SIMS } from "../domain/sim-group.ts";
import { userError, type UserError } from "../domain/user-error.ts";
import { auditTargets, audited } from "../audit/audited.ts";
import { refuse } from "../db/refusal.ts";
import { createGroup, deleteGroup, moveSimsToGroup, updateGroup, type GroupRun } from "../groups/sim-groups.ts";
import { globalIdOf, rowIdOf } from "../ids/global-id.ts";
import { builder } from "./builder.ts";
import { aboveRule } from "./input-bounds.ts";
import { lockNamedSims } from "./named-sims.ts";
import { OperatorRef } from "./operator.ts";
import { SimRef } from "./sim.ts";
import { SimOperationResult, type SimResult } from "./sim-lifecycle.ts";
import { UserErrorRef } from "./user-error.ts";

export const SimGroupRef = builder.prismaNode("SimGroup", {
  id: { field: "id" },
  select: { id: true },
  // node(id:) answers null, not an error, for a missing or foreign ID (O4).
  nullable: true,
  description: "A named set of the operator's SIMs (G1); a SIM belongs to at most one.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Unique in the operator: 1–100 of A–Z a–z 0–9 . _ -" }),
    description: t.exposeString("description", { nullable: true, description: "Free text, if any." }),
    simCount: t.exposeInt("simCount", { description: "SIMs in the group, terminated ones included until they leave listings (G2); exact, read without counting." }),
    createdAt: t.expose("createdAt", { type: "DateTime", description: "When it was created." }),
  }),
});

const SimGroupConnection = builder.connectionObject({ type: SimGroupRef, name: "SimGroupConnection" }, { name: "SimGroupEdge" });

builder.prismaObjectField(OperatorRef, "simGroups", (t) =>
  t.relatedConnection(
    "simGroups",
    { description: "The operator's SIM groups, oldest first (G1).", cursor: "id", totalCount: true, query: { orderBy: [{ createdAt: "asc" }, { id: "asc" }] } },
    SimGroupConnection,
  ),
);

// Loaded with the page (one statement for the SIMs' groups), not per SIM. After a transfer the
// SIM is in no group (G3), so the destination never reaches the source's.
builder.prismaObjectField(SimRef, "group", (t) => t.relation("group", { nullable: true, description: "The group the SIM is in, if any (G1)." }));

// ------------------------------------------------------------------ payloads and inputs

const SimGroupPayload = builder.objectRef<{ group?: { id: string } | null; userErrors: UserError[] }>("SimGroupPayload").implement({
  description: "The group after the change; null when refused.",
  fields: (t) => ({
    group: t.prismaField({
      type: "SimGroup",
      nullable: true,
      description: "The group as it is now.",
      resolve: (query, p, _args, ctx) => (p.group ? ctx.db.simGroup.findUnique({ ...query, where: { id: p.group.id } }) : null),
    }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const DeleteSimGroupPayload = builder.objectRef<{ deletedGroupId?: string | null; userErrors: UserError[] }>("DeleteSimGroupPayload").implement({
  description: "Which group was deleted.",
  fields: (t) => ({
    deletedGroupId: t.id({ nullable: true, description: "Global ID of the deleted group.", resolve: (p) => p.deletedGroupId ?? null }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});

const SetSimGroupPayload = builder.objectRef<{ results?: SimResult[]; userErrors: UserError[] }>("SetSimGroupPayload").implement({
  description: "One result per SIM, in input order (G1); each SIM succeeds or fails on its own.",
  fields: (t) => ({
    results: t.field({ type: [SimOperationResult], description: "Per SIM, in input order.", resolve: (p) => p.results ?? [] }),
    userErrors: t.field({ type: [UserErrorRef], description: "Errors of the call as a whole (too many SIMs, no such group).", resolve: (p) => p.userErrors }),
  }),
});

const descriptionBound = { maxLength: aboveRule(GROUP_DESCRIPTION_MAX) };

const CreateSimGroupInput = builder.inputType("CreateSimGroupInput", {
  fields: (t) => ({
    name: t.string({ required: true, description: "1–100 of A–Z a–z 0–9 . _ -, unique in the operator." }),
    description: t.string({ required: false, description: `Free text, at most ${GROUP_DESCRIPTION_MAX.toLocaleString("en")} characters.`, extensions: descriptionBound }),
  }),
});
const UpdateSimGroupInput = builder.inputType("UpdateSimGroupInput", {
  description: "Fields left out stay as they are.",
  fields: (t) => ({
    groupId: t.id({ required: true, description: "The group." }),
    name: t.string({ required: false, description: "New name, unique in the operator." }),
    description: t.string({ required: false, description: "New description; an empty string removes it.", extensions: descriptionBound }),
  }),
});
const DeleteSimGroupInput = builder.inputType("DeleteSimGroupInput", {
  fields: (t) => ({ groupId: t.id({ required: true, description: "The group; it must hold no SIMs (G2)." }) }),
});
const SetSimGroupInput = builder.inputType("SetSimGroupInput", {
  fields: (t) => ({
    simIds: t.idList({
      required: true,
      description: `Up to ${MAX_GROUP_SIMS.toLocaleString("en")} SIMs (TOO_MANY_ITEMS above).`,
      extensions: { maxItems: aboveRule(MAX_GROUP_SIMS) },
    }),
    groupId: t.id({ required: false, description: "Null takes the SIMs out of any group." }),
  }),
});

const GROUP_FIELD = ["input", "groupId"];

function groupRun(ctx: Context, tx: Tx, actor: string): GroupRun {
  return { tx, provider: ctx.provider, operatorId: ctx.viewer!.id, now: ctx.clock.now(), actor };
}

// ------------------------------------------------------------------ mutations

builder.mutationField("createSimGroup", (t) =>
  t.field({
    type: SimGroupPayload,
    description: "Creates an empty group (G1); an operator has at most 1,000.",
    args: { input: t.arg({ type: CreateSimGroupInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "createSimGroup", async ({ tx, audit }) => {
        const group = await createGroup(groupRun(ctx, tx, audit.actor), input);
        audit.targetIds.push(globalIdOf("SimGroup", group.id));
        return { group };
      }),
  }),
);

builder.mutationField("updateSimGroup", (t) =>
  t.field({
    type: SimGroupPayload,
    description: "Renames a group and/or changes its description (G1).",
    args: { input: t.arg({ type: UpdateSimGroupInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "updateSimGroup", async ({ tx, audit }) => {
        auditTargets(audit, "SimGroup", [input.groupId]);
        const group = await updateGroup(groupRun(ctx, tx, audit.actor), rowIdOf("SimGroup", input.groupId), input);
        return { group };
      }),
  }),
);

builder.mutationField("deleteSimGroup", (t) =>
  t.field({
    type: DeleteSimGroupPayload,
    description: "Deletes a group that holds no SIMs (G2: GROUP_NOT_EMPTY otherwise).",
    args: { input: t.arg({ type: DeleteSimGroupInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "deleteSimGroup", async ({ tx, audit }) => {
        auditTargets(audit, "SimGroup", [input.groupId]);
        await deleteGroup(groupRun(ctx, tx, audit.actor), rowIdOf("SimGroup", input.groupId));
        return { deletedGroupId: input.groupId };
      }),
  }),
);

builder.mutationField("setSimGroup", (t) =>
  t.field({
    type: SetSimGroupPayload,
    description:
      "Puts up to 1,000 SIMs in a group, or out of any group with groupId null; one result per SIM, in input order. " +
      "A transferring SIM answers SIM_TRANSFERRING; a terminated one can be taken out, not put in (SIM_TERMINATED).",
    args: { input: t.arg({ type: SetSimGroupInput, required: true }) },
    resolve: (_root, { input }, ctx) =>
      audited(ctx, "setSimGroup", async ({ tx, audit }) => {
        const groupRowId = input.groupId == null ? null : rowIdOf("SimGroup", input.groupId);
        if (input.groupId != null && groupRowId === null) refuse(userError("NOT_FOUND", "No such group.", GROUP_FIELD));
        const named = await lockNamedSims(tx, ctx, audit, input.simIds, "Group:setSimGroup");
        if (input.groupId != null) auditTargets(audit, "SimGroup", [input.groupId]);
        const { errors, moved } = await moveSimsToGroup(groupRun(ctx, tx, audit.actor), named, groupRowId);
        const results: SimResult[] = named.map(({ sim }, i) => ({ simId: input.simIds[i]!, sim: sim ?? null, userErrors: errors[i] ? [errors[i]] : [] }));
        audit.partialErrorCodes = errors.flatMap((e) => (e ? [e.code] : []));
        audit.allRefused = moved === 0 && errors.every((e) => e !== null);
        return { results };
      }),
  }),
);
