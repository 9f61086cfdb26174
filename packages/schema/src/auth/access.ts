// U3–U6 applied: the domain evaluator (domain/permissions.ts) decides; this module hands it what it
// needs (the principal's statements, a SIM's IMSI, tags and group name) and turns its answers into
// data scopes and per-SIM refusals. The field map (graphql/field-access.ts) and the tenant scoping
// (db/tenant.ts, sims/listing-sql.ts) are its callers.
import type { Principal, Viewer } from "../context.ts";
import { chunked } from "../db/chunks.ts";
import type { Db, Tx } from "../db/database.ts";
import { tenantDb, type Tenant } from "../db/tenant.ts";
import { decide, isSimAction, mayEver, rootOnlyExplanation, simScope, type Resource, type SimScope } from "../domain/permissions.ts";
import { userError, type UserError } from "../domain/user-error.ts";

export type { SimScope };

export interface AccessDecision {
  allowed: boolean;
  explanation: string;
}

const ALLOWED: AccessDecision = { allowed: true, explanation: "The root user may." };

/** A field decided by an action (U3): ROOT always; a USER when some resource could allow it. */
export function mayUseAction(principal: Principal, action: string, isSimAction: boolean): AccessDecision {
  if (principal.kind === "ROOT") return ALLOWED;
  if (isSimAction) {
    return mayEver(principal.statements, action)
      ? { allowed: true, explanation: `Some SIM may be reached by ${action}.` }
      : { allowed: false, explanation: `Denied: no statement allows ${action} on any SIM.` };
  }
  const decision = decide(principal.statements, action, { kind: "operator" });
  return { allowed: decision.allowed, explanation: decision.explanation };
}

/** U5: root-only fields, whatever the statements say. */
export function mayUseRootField(principal: Principal, field: string): AccessDecision {
  return principal.kind === "ROOT" ? ALLOWED : { allowed: false, explanation: rootOnlyExplanation(field) };
}

/**
 * U4: the SIMs a principal may `Sim:read`, as data the tenant scoping compiles (Prisma where, SQL);
 * null means every SIM of the operator (the root, or a user allowed `Sim:read` on `*` with no DENY),
 * so those callers pay for no extra condition. Events and webhook deliveries read SIMs through this too.
 */
export function simReadScope(viewer: Viewer | null): SimScope | null {
  if (!viewer || viewer.principal.kind === "ROOT") return null;
  const scope = simScope(viewer.principal.statements, "Sim:read");
  const everything = scope.deny.length === 0 && scope.allow.some((p) => p.kind === "all");
  return everything ? null : scope;
}

/** What the viewer's data is: its operator (O4), its readable SIMs (U4) and, for a user, its own webhook endpoints (U5). */
export function viewerTenant(viewer: Viewer): Tenant {
  return { operatorId: viewer.id, sims: simReadScope(viewer), user: viewer.principal.kind === "USER" ? viewer.principal.userId : null };
}

/** The client a request's resolvers get: scoped to the viewer's tenant (viewerTenant), or to nobody. */
export function viewerDb(db: Db, viewer: Viewer | null): Db {
  const tenant = viewer ? viewerTenant(viewer) : null;
  return tenantDb(db, tenant?.operatorId ?? null, tenant?.sims ?? null, tenant?.user ?? null);
}

/** What the evaluator needs of a SIM beyond its columns: loaded only for USER principals. */
export interface SimFacts {
  id: string;
  imsi: string;
  groupId: string | null;
}

/** Tags and group names of the given SIMs, in bounded statements (chunks of the IN list, one for groups). */
export async function simResources(tx: Tx, sims: readonly SimFacts[]): Promise<Map<string, Extract<Resource, { kind: "sim" }>>> {
  const tags = new Map<string, { name: string; value: string }[]>(sims.map((s) => [s.id, []]));
  for (const ids of chunked(sims.map((s) => s.id))) {
    for (const tag of await tx.simTag.findMany({ where: { simId: { in: ids } }, select: { simId: true, name: true, value: true } })) {
      tags.get(tag.simId)?.push({ name: tag.name, value: tag.value });
    }
  }
  const groupIds = [...new Set(sims.flatMap((s) => (s.groupId ? [s.groupId] : [])))];
  const groups = new Map<string, string>();
  for (const ids of chunked(groupIds)) {
    for (const g of await tx.simGroup.findMany({ where: { id: { in: ids } }, select: { id: true, name: true } })) groups.set(g.id, g.name);
  }
  return new Map(
    sims.map((s) => [s.id, { kind: "sim" as const, imsi: s.imsi, tags: tags.get(s.id) ?? [], group: s.groupId ? (groups.get(s.groupId) ?? null) : null }]),
  );
}

/** The action a SIM mutation takes, judged on each SIM it names (U4): the per-SIM half of the field gate. */
export interface SimAccess {
  principal: Principal;
  action: string;
}

/**
 * U4 per SIM, for SIMs already read through the viewer's scoped client (so each is readable: an
 * unreadable one never got here and answers NOT_FOUND). Null where allowed, PERMISSION_DENIED where not.
 */
export async function judgeSimAccess(tx: Tx, access: SimAccess, sims: readonly (SimFacts | undefined)[], field: (i: number) => string[]): Promise<(UserError | null)[]> {
  const { principal } = access;
  if (principal.kind === "ROOT") return sims.map(() => null);
  const present = sims.filter((s): s is SimFacts => s !== undefined);
  const resources = await simResources(tx, [...new Map(present.map((s) => [s.id, s])).values()]);
  return sims.map((sim, i) => {
    if (!sim) return null;
    const decision = decide(principal.statements, access.action, resources.get(sim.id)!);
    return decision.allowed ? null : userError("PERMISSION_DENIED", decision.explanation, field(i));
  });
}

/** The per-request memo of the operator's group names, by group ID (at most G1's 1,000 rows, one statement). */
const groupNameMemo = new WeakMap<object, Promise<Map<string, string>>>();

export function groupNamesOnce(key: object, load: () => Promise<{ id: string; name: string }[]>): Promise<Map<string, string>> {
  let names = groupNameMemo.get(key);
  if (!names) {
    names = load().then((rows) => new Map(rows.map((r) => [r.id, r.name])));
    groupNameMemo.set(key, names);
  }
  return names;
}

/** U6: which of `candidates` (SimAction -> catalog action) a principal may take on one SIM. */
export function permittedOn<T extends string>(principal: Principal, candidates: readonly T[], actionOf: (c: T) => string, sim: Extract<Resource, { kind: "sim" }>): T[] {
  if (principal.kind === "ROOT") return [...candidates];
  return candidates.filter((c) => decide(principal.statements, actionOf(c), sim).allowed);
}

/**
 * How one field of the API is decided (graphql/field-access.ts declares one per field):
 * - "public": anyone, signed in or not (sign-up, sign-in, verification, recovery);
 * - "optional": answers for whoever calls, null without sign-in (viewer, node, nodes);
 * - "signedIn": any principal (U3: a user with no statements still may);
 * - "root": the root user only (U5);
 * - "admin": the platform administrator only (O5);
 * - { action }: a U3 action; reads of SIMs are scoped (U4) rather than refused.
 */
export type FieldRule = "public" | "optional" | "signedIn" | "root" | "admin" | { action: string };

/** The field-level decision for a signed-in principal (the per-SIM half is judgeSimAccess). */
export function decideField(principal: Principal, rule: FieldRule, field: string): AccessDecision {
  if (rule === "public" || rule === "optional" || rule === "signedIn") return ALLOWED;
  if (rule === "admin") return { allowed: false, explanation: `${field} is for the platform administrator only.` };
  if (rule === "root") return mayUseRootField(principal, field);
  return mayUseAction(principal, rule.action, isSimAction(rule.action));
}

/** U4: reads of SIMs are not refused; the user's scope decides which SIMs they see (possibly none). */
export function isScopedRead(rule: FieldRule): boolean {
  return typeof rule === "object" && rule.action === "Sim:read";
}
