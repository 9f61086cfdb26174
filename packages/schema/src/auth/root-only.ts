// U5: what only the root user may do, whatever a user's statements say. A stopgap until the single
// enforcement point maps every field; refusals go through audited() so they are logged (U10).
import type { Context } from "../context.ts";
import { refuse } from "../db/refusal.ts";
import { rootOnlyExplanation } from "../domain/permissions.ts";
import { userError } from "../domain/user-error.ts";

export function isRoot(ctx: Context): boolean {
  return ctx.viewer?.principal.kind === "ROOT";
}

/** Inside a mutation's work: refuses a user with PERMISSION_DENIED (rolled back and audited). */
export function requireRoot(ctx: Context, field: string): void {
  if (!isRoot(ctx)) refuse(userError("PERMISSION_DENIED", rootOnlyExplanation(field)));
}
