// U3, U7: permission statements as the API shows and takes them, and explainAccess.
import { GraphQLError } from "graphql";
import { explainAccess } from "../users/explain-access.ts";
import type { Decision, Statement } from "../domain/permissions.ts";
import { builder } from "./builder.ts";

export const PermissionEffectEnum = builder.enumType("PermissionEffect", {
  description: "ALLOW grants, DENY takes away; DENY wins (U3).",
  values: { ALLOW: { description: "Grants the actions on the resources." }, DENY: { description: "Refuses them, whatever else allows them." } },
});

export const PermissionStatementRef = builder.objectRef<Statement>("PermissionStatement").implement({
  description: "U3: DENY wins over ALLOW; nothing matching means denied.",
  fields: (t) => ({
    effect: t.field({ type: PermissionEffectEnum, description: "ALLOW or DENY.", resolve: (s) => s.effect }),
    actions: t.exposeStringList("actions", { description: 'e.g. "Sim:terminateSim", "Sim:*", "*" (U3 lists the actions).' }),
    resources: t.exposeStringList("resources", { description: 'e.g. "*", "sim:tag:site=tokyo-*", "sim:group:fleet-a", "sim:imsi:44010123*" (U4).' }),
  }),
});

export const PermissionStatementInput = builder.inputType("PermissionStatementInput", {
  description: "One statement (U3); the whole list is refused at the first bad element (PERMISSION_STATEMENT_INVALID).",
  fields: (t) => ({
    effect: t.field({ type: PermissionEffectEnum, required: true, description: "ALLOW or DENY." }),
    actions: t.stringList({ required: true, description: "1 to 50 actions: <Area>:<action>, <Area>:* or *." }),
    resources: t.stringList({ required: true, defaultValue: ["*"], description: "1 to 50 resource patterns (U4); other areas than SIMs take * only." }),
  }),
});

const AccessDecisionRef = builder.objectRef<Decision>("AccessDecision").implement({
  description: "What the permission evaluator decides (U7), the same evaluator every request uses.",
  fields: (t) => ({
    allowed: t.exposeBoolean("allowed", { description: "Whether the user may." }),
    decidingStatement: t.exposeInt("decidingStatement", {
      nullable: true,
      description: "Index in the user's permissions of the statement that decided; null when none matched (denied by default).",
    }),
    explanation: t.exposeString("explanation", { description: "One sentence a person can read, e.g. why a root-only action is denied." }),
  }),
});

builder.queryField("explainAccess", (t) =>
  t.field({
    type: AccessDecisionRef,
    description:
      'Root only (U7): would `userId` be allowed `action` (e.g. "Sim:terminateSim") on `resourceId` (a SIM\'s ID; omitted: the operator itself)? ' +
      "An unknown user or resource is a NOT_FOUND error.",
    args: {
      userId: t.arg.id({ required: true, description: "The user." }),
      action: t.arg.string({ required: true, description: "<Area>:<action>, e.g. Sim:terminateSim.", extensions: { maxLength: 200 } }),
      resourceId: t.arg.id({ required: false, description: "A SIM's global ID; omitted: the operator." }),
    },
    resolve: async (_root, args, ctx) => {
      const explained = await explainAccess(ctx, args);
      if ("missing" in explained) {
        throw new GraphQLError(explained.missing === "userId" ? "No such user." : "No such SIM.", { extensions: { code: "NOT_FOUND", field: explained.missing } });
      }
      return explained.decision;
    },
  }),
);
