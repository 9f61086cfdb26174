// U3, U4, U6, U7: the one permission evaluator. Every caller (the enforcement point, `Sim.allowedActions`,
// the data scope of listings, `explainAccess`) asks this module, so a refusal, a missing allowed action
// and an explanation can never disagree (U6, U7). Plain functions on plain values: no GraphQL, no
// database, no clock.
//
// Decisions (the spec leaves these to the product):
// - Catalog (U3): an action is `<Area>:<mutation field>` of the contract's Mutation type, or
//   `<Area>:read`. Mutations that are root only (U5: email addresses and roles, payment and invoice
//   settings, the support plan, users, their permissions and keys, accepting and rejecting transfers),
//   public or self-service (sign-up, sign-in, logout, verification, recovery) and the administrator's
//   (O5) are not actions: no statement can grant them. `SimTransfer:applyForSimTransfer` (T9) is an
//   action although U3 does not list it: it is neither root only nor public, and it names SIMs.
// - Wildcards (U3): `*` is every action, `<Area>:*` every action of a catalog area; anything else that
//   is not in the catalog is malformed, so a typo is refused rather than silently granting nothing.
// - SIM actions (U4): every `Sim:` action, `Group:setSimGroup`, `SimTransfer:issueSimTransfer` and
//   `SimTransfer:applyForSimTransfer` act on SIMs; a resource pattern other than `*` narrows these only.
//   Every other action acts on the operator, which only `*` matches. A statement whose resources are
//   not all `*` must name at least one SIM action ("other areas take `*` only").
// - Resource patterns (U4): `*` (everything), `sim:*` (every SIM), `sim:imsi:<1–15 digits>[*]`,
//   `sim:tag:<name>=<value>[*]` (the first `=` ends the name; name and value follow the SIM tag rules of
//   sim-inventory.ts; a `*` is allowed only as the last character, meaning "value starts with"),
//   `sim:group:<group name>` (G1 name characters; matched by name, so renaming a group changes which
//   statements reach its SIMs). Matching is case-sensitive.
// - Bounds (U3): at most 50 statements, 50 actions and 50 resources per statement, 200 characters per
//   string; empty action or resource lists are malformed; omitted resources mean `["*"]`. The first bad
//   element refuses the whole set, with its path (`[3, "actions", 1]`; too many statements points at
//   the first one over the limit, `[50]`).
// - Decision (U3, U7): any matching DENY wins and is the deciding statement (the first such); otherwise
//   the first matching ALLOW; otherwise denied with no deciding statement. An unknown action is denied.
import { TAG_NAME_MAX, TAG_VALUE_MAX } from "./sim-inventory.ts";

export type Effect = "ALLOW" | "DENY";
export interface Statement {
  effect: Effect;
  actions: string[];
  resources: string[];
}

/** Action catalog: area -> actions, from the Mutation fields of the contract plus "read" (U3). */
export const ACTION_CATALOG: Readonly<Record<string, readonly string[]>> = Object.freeze({
  Sim: Object.freeze([
    "registerSim",
    "registerSims",
    "activateSim",
    "deactivateSim",
    "setSimToStandby",
    "suspendSim",
    "terminateSim",
    "terminateSims",
    "applySimAction",
    "setSimTerminationProtection",
    "setSimExpiry",
    "clearSimExpiry",
    "updateSim",
    "addSimTags",
    "removeSimTags",
    "read",
  ]),
  Group: Object.freeze(["createSimGroup", "updateSimGroup", "deleteSimGroup", "setSimGroup", "read"]),
  // acceptSimTransfer and rejectSimTransfer are the root's (U5).
  SimTransfer: Object.freeze(["issueSimTransfer", "cancelSimTransfer", "applyForSimTransfer", "read"]),
  // changeSupportPlan is the root's (U5).
  Support: Object.freeze([
    "createSupportTicket",
    "replyToSupportTicket",
    "closeSupportTicket",
    "requestOfficeHours",
    "cancelOfficeHoursRequest",
    "read",
  ]),
  AuditLog: Object.freeze(["read"]),
  Event: Object.freeze(["read"]),
  Webhook: Object.freeze([
    "createWebhookEndpoint",
    "updateWebhookEndpoint",
    "deleteWebhookEndpoint",
    "rotateWebhookSecret",
    "sendTestWebhook",
    "redeliverWebhookEvents",
    "read",
  ]),
  User: Object.freeze(["read"]),
});

export type Action = string; // "<Area>:<name>"

/** Every "<Area>:<name>" of the catalog, sorted. */
export const ACTIONS: readonly string[] = Object.freeze(
  Object.entries(ACTION_CATALOG)
    .flatMap(([area, names]) => names.map((name) => `${area}:${name}`))
    .sort(),
);
const ACTION_SET: ReadonlySet<string> = new Set(ACTIONS);

/**
 * Mutation fields of the contract that no statement grants (U5): the enforcement point answers
 * PERMISSION_DENIED to a user with rootOnlyExplanation(field).
 */
export const ROOT_ONLY_MUTATIONS: readonly string[] = Object.freeze([
  "addEmailAddress",
  "removeEmailAddress",
  "setEmailRole",
  "registerPaymentMethod",
  "updateInvoiceSettings",
  "changeSupportPlan",
  "createUser",
  "updateUser",
  "setUserPermissions",
  "deleteUser",
  "acceptSimTransfer",
  "rejectSimTransfer",
]);

const SIM_ACTIONS: ReadonlySet<string> = new Set([
  ...ACTION_CATALOG.Sim!.map((name) => `Sim:${name}`),
  "Group:setSimGroup",
  "SimTransfer:issueSimTransfer",
  "SimTransfer:applyForSimTransfer",
]);

/** Actions whose resource is a SIM (resource patterns other than "*" apply to these only). */
export function isSimAction(action: string): boolean {
  return SIM_ACTIONS.has(action);
}

export function isKnownAction(action: string): boolean {
  return ACTION_SET.has(action);
}

export type Resource =
  | { kind: "operator" }
  | { kind: "sim"; imsi: string; tags: readonly { name: string; value: string }[]; group: string | null };
type SimResource = Extract<Resource, { kind: "sim" }>;

export interface Decision {
  allowed: boolean;
  decidingStatement: number | null;
  explanation: string;
}

export type SimPattern =
  | { kind: "all" }
  | { kind: "imsi"; value: string; prefix: boolean }
  | { kind: "tag"; name: string; value: string; prefix: boolean }
  | { kind: "group"; name: string };

/** allowed = (some allow matches) AND NOT (some deny matches); allow [] = nothing. */
export interface SimScope {
  allow: SimPattern[];
  deny: SimPattern[];
}

export const MAX_STATEMENTS = 50;
export const MAX_ACTIONS_PER_STATEMENT = 50;
export const MAX_RESOURCES_PER_STATEMENT = 50;
export const MAX_STATEMENT_STRING = 200;

// ---------------------------------------------------------------------------------------------
// Action and resource patterns

/** Does the action entry of a statement (a name, `<Area>:*` or `*`) cover `action`? */
function actionEntryCovers(entry: string, action: string): boolean {
  if (entry === "*") return ACTION_SET.has(action);
  if (entry.endsWith(":*")) return ACTION_SET.has(action) && action.startsWith(entry.slice(0, -1));
  return entry === action;
}

/** The catalog actions an entry names, or null when the entry is malformed. */
function actionsOfEntry(entry: string): readonly string[] | null {
  if (entry === "*") return ACTIONS;
  if (entry.endsWith(":*")) {
    const area = entry.slice(0, -2);
    const names = Object.hasOwn(ACTION_CATALOG, area) ? ACTION_CATALOG[area] : undefined;
    return names ? names.map((name) => `${area}:${name}`) : null;
  }
  return ACTION_SET.has(entry) ? [entry] : null;
}

const IMSI_PATTERN = /^sim:imsi:(\d{1,15})(\*?)$/;
const GROUP_PATTERN = /^sim:group:([A-Za-z0-9._-]{1,100})$/;
const TAG_PREFIX = "sim:tag:";

/** A resource pattern other than `*`, as SIM pattern data; `*` is {kind:"all"} too. */
type ParsedResource = { ok: true; pattern: SimPattern; everything: boolean } | { ok: false; message: string };

function parseResource(resource: string): ParsedResource {
  if (resource === "*") return { ok: true, pattern: { kind: "all" }, everything: true };
  if (resource === "sim:*") return { ok: true, pattern: { kind: "all" }, everything: false };
  const imsi = IMSI_PATTERN.exec(resource);
  if (imsi) return { ok: true, pattern: { kind: "imsi", value: imsi[1]!, prefix: imsi[2] === "*" }, everything: false };
  if (resource.startsWith("sim:imsi:")) {
    return { ok: false, message: "An IMSI pattern is sim:imsi: and 1 to 15 digits, optionally followed by * (prefix)." };
  }
  const group = GROUP_PATTERN.exec(resource);
  if (group) return { ok: true, pattern: { kind: "group", name: group[1]! }, everything: false };
  if (resource.startsWith("sim:group:")) {
    return { ok: false, message: "A group pattern is sim:group: and a group name of 1 to 100 of A-Z a-z 0-9 . _ -." };
  }
  if (resource.startsWith(TAG_PREFIX)) {
    const body = resource.slice(TAG_PREFIX.length);
    const eq = body.indexOf("=");
    if (eq < 0) return { ok: false, message: "A tag pattern is sim:tag:<name>=<value>, optionally followed by * (prefix)." };
    const name = body.slice(0, eq);
    const prefix = body.endsWith("*");
    const value = prefix ? body.slice(eq + 1, -1) : body.slice(eq + 1);
    // The same rules as a SIM's own tags (sim-inventory.ts checkTags), so every pattern can match a tag.
    if (name.trim().length === 0 || name.length > TAG_NAME_MAX) {
      return { ok: false, message: `A tag name in a pattern is 1 to ${TAG_NAME_MAX} characters, not blank.` };
    }
    if (value.length > TAG_VALUE_MAX) return { ok: false, message: `A tag value in a pattern is at most ${TAG_VALUE_MAX} characters.` };
    if (value.includes("*")) return { ok: false, message: "A * in a tag pattern is allowed only at the end (prefix of the value)." };
    return { ok: true, pattern: { kind: "tag", name, value, prefix }, everything: false };
  }
  return { ok: false, message: "A resource is *, sim:*, sim:imsi:<digits>[*], sim:tag:<name>=<value>[*] or sim:group:<group name>." };
}

function simPatternMatches(pattern: SimPattern, sim: SimResource): boolean {
  switch (pattern.kind) {
    case "all":
      return true;
    case "imsi":
      return pattern.prefix ? sim.imsi.startsWith(pattern.value) : sim.imsi === pattern.value;
    case "tag":
      return sim.tags.some(
        (tag) => tag.name === pattern.name && (pattern.prefix ? tag.value.startsWith(pattern.value) : tag.value === pattern.value),
      );
    case "group":
      return sim.group === pattern.name;
  }
}

/** Does a statement's resource pattern cover `resource` for `action`? Only `*` reaches the operator. */
function resourceCovers(resource: string, action: string, target: Resource): boolean {
  if (resource === "*") return true;
  if (target.kind !== "sim" || !isSimAction(action)) return false;
  const parsed = parseResource(resource);
  return parsed.ok && simPatternMatches(parsed.pattern, target);
}

// ---------------------------------------------------------------------------------------------
// Decisions (U3, U6, U7)

interface Match {
  index: number;
  actionEntry: string;
  resource: string;
}

function firstMatch(statements: readonly Statement[], effect: Effect, action: string, target: Resource): Match | null {
  for (let index = 0; index < statements.length; index++) {
    const statement = statements[index]!;
    if (statement.effect !== effect) continue;
    const actionEntry = statement.actions.find((entry) => actionEntryCovers(entry, action));
    if (actionEntry === undefined) continue;
    const resource = statement.resources.find((r) => resourceCovers(r, action, target));
    if (resource !== undefined) return { index, actionEntry, resource };
  }
  return null;
}

export function decide(statements: readonly Statement[], action: string, resource: Resource): Decision {
  if (!ACTION_SET.has(action)) {
    return { allowed: false, decidingStatement: null, explanation: `Denied: ${action} is an unknown action.` };
  }
  const deny = firstMatch(statements, "DENY", action, resource);
  if (deny) {
    return {
      allowed: false,
      decidingStatement: deny.index,
      explanation: `Denied by statement ${deny.index} (DENY ${deny.actionEntry} on ${deny.resource}).`,
    };
  }
  const allow = firstMatch(statements, "ALLOW", action, resource);
  if (allow) {
    return {
      allowed: true,
      decidingStatement: allow.index,
      explanation: `Allowed by statement ${allow.index} (ALLOW ${allow.actionEntry} on ${allow.resource}).`,
    };
  }
  const where = resource.kind === "sim" ? " on this SIM" : "";
  return { allowed: false, decidingStatement: null, explanation: `Denied: no statement allows ${action}${where}.` };
}

/** U5: the sentence for a root-only field refused to a user. */
export function rootOnlyExplanation(field: string): string {
  return `${field} is for the root user only (U5), whatever the statements say.`;
}

/** Does deny pattern `d` match every SIM that allow pattern `a` matches? */
function subsumes(d: SimPattern, a: SimPattern): boolean {
  if (d.kind === "all") return true;
  if (d.kind === "imsi" && a.kind === "imsi") {
    return d.prefix ? a.value.startsWith(d.value) : !a.prefix && a.value === d.value;
  }
  if (d.kind === "tag" && a.kind === "tag") {
    if (d.name !== a.name) return false;
    return d.prefix ? a.value.startsWith(d.value) : !a.prefix && a.value === d.value;
  }
  if (d.kind === "group" && a.kind === "group") return d.name === a.name;
  return false;
}

/**
 * Could this action be allowed on at least one resource? (the field-level gate before any data is read)
 * Exact over the Resource type, where an IMSI is any string: an allowed SIM exists exactly when some
 * allow pattern is not covered by a single deny pattern, because a SIM can always carry no other tag,
 * no group and an IMSI outside every other prefix. For real 15-digit IMSIs it may answer true where
 * several IMSI-prefix DENYs together cover every digit; the data scope then simply finds no SIM.
 */
export function mayEver(statements: readonly Statement[], action: string): boolean {
  if (!ACTION_SET.has(action)) return false;
  if (decide(statements, action, { kind: "operator" }).allowed) return true;
  if (!isSimAction(action)) return false;
  const scope = simScope(statements, action);
  return scope.allow.some((a) => !scope.deny.some((d) => subsumes(d, a)));
}

function patternKey(pattern: SimPattern): string {
  return JSON.stringify(pattern);
}

/** Which SIMs `action` is allowed on, as data a service compiles into SQL / Prisma where (U4). */
export function simScope(statements: readonly Statement[], action: string): SimScope {
  if (!ACTION_SET.has(action)) return { allow: [], deny: [] };
  const collect = (effect: Effect): SimPattern[] => {
    const patterns = new Map<string, SimPattern>();
    for (const statement of statements) {
      if (statement.effect !== effect || !statement.actions.some((entry) => actionEntryCovers(entry, action))) continue;
      for (const resource of statement.resources) {
        // For an action on the operator, a SIM is reached through `*` only: the same rule as decide.
        if (resource !== "*" && !isSimAction(action)) continue;
        const parsed = parseResource(resource);
        if (parsed.ok) patterns.set(patternKey(parsed.pattern), parsed.pattern);
      }
    }
    const all = patterns.get(patternKey({ kind: "all" }));
    return all ? [all] : [...patterns.values()];
  };
  const deny = collect("DENY");
  if (deny.some((d) => d.kind === "all")) return { allow: [], deny: [] };
  const allow = collect("ALLOW");
  return allow.length === 0 ? { allow: [], deny: [] } : { allow, deny };
}

export function matchesScope(scope: SimScope, sim: SimResource): boolean {
  return scope.allow.some((p) => simPatternMatches(p, sim)) && !scope.deny.some((p) => simPatternMatches(p, sim));
}

// ---------------------------------------------------------------------------------------------
// Validation (U3)

export type ParseResult = { ok: true; statements: Statement[] } | { ok: false; path: (string | number)[]; message: string };

/** U3: validates a whole statement set; refuses it whole at the first bad element with its path, e.g. [3, "actions", 1]. */
export function parseStatements(
  input: readonly { effect: string; actions: readonly string[]; resources?: readonly string[] | null }[],
): ParseResult {
  const bad = (path: (string | number)[], message: string): ParseResult => ({ ok: false, path, message });
  if (!Array.isArray(input)) return bad([], "Statements are a list.");
  if (input.length > MAX_STATEMENTS) return bad([MAX_STATEMENTS], `A user has at most ${MAX_STATEMENTS} statements.`);
  const statements: Statement[] = [];
  for (let i = 0; i < input.length; i++) {
    const raw = input[i];
    if (raw === null || typeof raw !== "object") return bad([i], "A statement is { effect, actions, resources }.");
    if (raw.effect !== "ALLOW" && raw.effect !== "DENY") return bad([i, "effect"], "The effect is ALLOW or DENY.");

    const actions = raw.actions;
    if (!Array.isArray(actions) || actions.length === 0) return bad([i, "actions"], "A statement names at least one action.");
    if (actions.length > MAX_ACTIONS_PER_STATEMENT) {
      return bad([i, "actions", MAX_ACTIONS_PER_STATEMENT], `A statement names at most ${MAX_ACTIONS_PER_STATEMENT} actions.`);
    }
    let namesSimAction = false;
    for (let j = 0; j < actions.length; j++) {
      const entry: unknown = actions[j];
      if (typeof entry !== "string" || entry.length > MAX_STATEMENT_STRING) {
        return bad([i, "actions", j], `An action is a string of at most ${MAX_STATEMENT_STRING} characters.`);
      }
      const named = actionsOfEntry(entry);
      if (!named) return bad([i, "actions", j], `${entry} is not an action: use <Area>:<action>, <Area>:* or *.`);
      namesSimAction ||= named.some(isSimAction);
    }

    const resources = raw.resources ?? ["*"];
    if (!Array.isArray(resources) || resources.length === 0) return bad([i, "resources"], "A statement names at least one resource.");
    if (resources.length > MAX_RESOURCES_PER_STATEMENT) {
      return bad([i, "resources", MAX_RESOURCES_PER_STATEMENT], `A statement names at most ${MAX_RESOURCES_PER_STATEMENT} resources.`);
    }
    for (let j = 0; j < resources.length; j++) {
      const resource: unknown = resources[j];
      if (typeof resource !== "string" || resource.length > MAX_STATEMENT_STRING) {
        return bad([i, "resources", j], `A resource is a string of at most ${MAX_STATEMENT_STRING} characters.`);
      }
      const parsed = parseResource(resource);
      if (!parsed.ok) return bad([i, "resources", j], parsed.message);
      if (!parsed.everything && !namesSimAction) {
        return bad([i, "resources", j], "Only SIM actions take SIM resources; other areas take * only (U4).");
      }
    }
    statements.push({ effect: raw.effect, actions: [...actions], resources: [...resources] });
  }
  return { ok: true, statements };
}
