// U7: what the evaluator decides for a user, an action and a resource: the same `decide` the
// requests use, on the statements and the resource as stored now.
import type { Context } from "../context.ts";
import { decide, ROOT_ONLY_MUTATIONS, rootOnlyExplanation, type Decision, type Resource, type Statement } from "../domain/permissions.ts";
import { rowIdOf, safeDecode } from "../ids/global-id.ts";

export type Explained = { decision: Decision } | { missing: "userId" | "resourceId" };

export async function explainAccess(ctx: Context, input: { userId: string; action: string; resourceId?: string | null }): Promise<Explained> {
  const userRowId = rowIdOf("User", input.userId);
  const user = userRowId === null ? null : await ctx.db.user.findUnique({ where: { id: userRowId }, select: { permissions: true } });
  if (!user) return { missing: "userId" };
  let resource: Resource = { kind: "operator" };
  if (input.resourceId != null) {
    const decoded = safeDecode(input.resourceId);
    if (decoded?.typename === "Sim") {
      const sim = await ctx.db.sim.findUnique({
        where: { id: decoded.id },
        select: { imsi: true, tags: { select: { name: true, value: true } }, group: { select: { name: true } } },
      });
      if (!sim) return { missing: "resourceId" };
      resource = { kind: "sim", imsi: sim.imsi, tags: sim.tags, group: sim.group?.name ?? null };
    } else if (!(decoded?.typename === "Operator" && decoded.id === ctx.viewer?.id)) {
      // Only SIMs narrow a decision (U4); anything else would be judged as the operator, so an ID
      // of something else is answered as unknown rather than silently judged as something it is not.
      return { missing: "resourceId" };
    }
  }
  const field = input.action.includes(":") ? input.action.slice(input.action.indexOf(":") + 1) : input.action;
  if (ROOT_ONLY_MUTATIONS.includes(field)) return { decision: { allowed: false, decidingStatement: null, explanation: rootOnlyExplanation(field) } };
  return { decision: decide(JSON.parse(user.permissions) as Statement[], input.action, resource) };
}
