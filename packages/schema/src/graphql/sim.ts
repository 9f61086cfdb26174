// S1: the SIM, its listing and look-up. Lifecycle mutations are in sim-lifecycle.ts, platform
// (admin) calls in sim-admin.ts.
import type { Prisma, Sim } from "../db/generated/sqlite/client.ts";
import { allowedActions, simActions, simStatuses } from "../domain/sim-status.ts";
import { expiryActions } from "../domain/sim-expiry.ts";
import type { UserError } from "../domain/user-error.ts";
import { foldedMatchKey, matchKey } from "../domain/match-key.ts";
import { queryFromInfo } from "@pothos/plugin-prisma";
import { resolveCursorConnection } from "@pothos/plugin-relay";
import { GraphQLError } from "graphql";
import { encodeCursor, InvalidCursor, keysetOrderBy, keysetWhere, simOrderSpecOf, type SimOrderSpec } from "../sims/keyset.ts";
import { simKeysetCursor } from "./cursors.ts";
import { sqlReaderOf } from "../db/database.ts";
import { NO_GROUP, plainSelection, simCount, simPage } from "../sims/listing-sql.ts";
import { rowIdOf } from "../ids/global-id.ts";
import { builder } from "./builder.ts";
import { OperatorRef } from "./operator.ts";
import { UserErrorRef } from "./user-error.ts";
import type { Context } from "../context.ts";
import { groupNamesOnce, permittedOn, simReadScope } from "../auth/access.ts";

export const SimStatusEnum = builder.enumType("SimStatus", {
  description: "Where a SIM is in its lifecycle (S2). No SIM returns to READY once it has left it, except from TRANSFERRING.",
  values: simStatuses,
});
export const CoverageEnum = builder.enumType("Coverage", {
  description: "Where a SIM works (S1).",
  values: { GLOBAL: { description: "Global coverage." }, JAPAN: { description: "Japan coverage; returned after termination (S8)." } },
});
export const ExpiryActionEnum = builder.enumType("ExpiryAction", {
  description: "What happens when a SIM's expiry time passes (S7). With every action no new session is accepted afterwards.",
  values: expiryActions,
});
export const SimActionEnum = builder.enumType("SimAction", { description: "Status actions an operator takes on a SIM (S3).", values: simActions });
const SimStatusChangeCauseEnum = builder.enumType("SimStatusChangeCause", {
  description: "What changed a SIM's status.",
  values: {
    OPERATOR: { description: "A status mutation by the operator." },
    NETWORK_SESSION: { description: "A network session opened (S4)." },
    EXPIRY: { description: "The SIM's expiry was applied (S7)." },
    TRANSFER: { description: "A transfer was issued, ended or accepted (T3–T7)." },
    ADMIN: { description: "The platform administrator." },
  },
});
const TagMatchEnum = builder.enumType("TagMatch", {
  description: "How a tag filter's value matches.",
  values: { EXACT: { description: "The whole value." }, PREFIX: { description: "The start of the value (case-sensitive)." } },
});
const SimOrderFieldEnum = builder.enumType("SimOrderField", {
  description: "What SIM listings sort by; ties are broken by ID, so pages never skip or repeat.",
  values: {
    CREATED_AT: { description: "When the operator registered (or received) the SIM." },
    IMSI: { description: "IMSI." },
    NAME: { description: "Name; unnamed SIMs first when ascending." },
    STATUS: { description: "Status, alphabetically." },
  },
});
const OrderDirectionEnum = builder.enumType("OrderDirection", { description: "Sort direction.", values: ["ASC", "DESC"] as const });

builder.prismaObject("SimTag", {
  select: { id: true },
  description: "A name/value label on a SIM.",
  fields: (t) => ({
    name: t.exposeString("name", { description: "Tag name, unique per SIM." }),
    value: t.exposeString("value", { description: "Tag value." }),
  }),
});

const SimExpiryRef = builder.objectRef<{ expiresAt: Date; action: (typeof expiryActions)[number] }>("SimExpiry").implement({
  description: "When a SIM expires and what happens then (S7).",
  fields: (t) => ({
    expiresAt: t.expose("expiresAt", { type: "DateTime", description: "The expiry time." }),
    action: t.field({ type: ExpiryActionEnum, description: "What happens then.", resolve: (e) => e.action }),
  }),
});

export const SimStatusChangeRef = builder.prismaObject("SimStatusChange", {
  select: { id: true },
  description: "One entry of a SIM's status history.",
  fields: (t) => ({
    from: t.expose("from", { type: SimStatusEnum, nullable: true, description: "Status before; null for the first entry." }),
    to: t.expose("to", { type: SimStatusEnum, description: "Status after." }),
    at: t.expose("at", { type: "DateTime", description: "When." }),
    cause: t.expose("cause", { type: SimStatusChangeCauseEnum, description: "What changed it." }),
    reactivation: t.exposeBoolean("reactivation", { description: "S3: a change out of SUSPENDED (modem restart, reactivation fee)." }),
  }),
});

const SimStatusChangeConnection = builder.connectionObject({ type: SimStatusChangeRef, name: "SimStatusChangeConnection" }, { name: "SimStatusChangeEdge" });

export const SimRef = builder.prismaNode("Sim", {
  id: { field: "id" },
  // Select mode: a query reads only the columns its fields need (a page of 50 full rows costs).
  select: { id: true },
  // node(id:) answers null, not an error, for a missing or foreign ID (O4).
  nullable: true,
  description: "A SIM registered to the operator (S1).",
  fields: (t) => ({
    imsi: t.exposeString("imsi", { description: "IMSI, 15 digits." }),
    iccid: t.exposeString("iccid", { description: "ICCID, 19 or 20 digits." }),
    msisdn: t.exposeString("msisdn", { nullable: true, description: "Phone number, if any." }),
    subscription: t.exposeString("subscription", { description: "Plan, e.g. plan01s, planX3, plan-D." }),
    coverage: t.expose("coverage", { type: CoverageEnum, description: "GLOBAL or JAPAN." }),
    status: t.expose("status", { type: SimStatusEnum, description: "Current status (S2)." }),
    name: t.string({ nullable: true, description: "Operator-given name; null when unnamed.", select: { name: true }, resolve: (s) => s.name || null }),
    tags: t.relation("tags", { description: "Labels, by name.", query: { orderBy: { name: "asc" } } }),
    terminationProtected: t.exposeBoolean("terminationProtected", { description: "ON by default (S6): termination through the API is refused while ON." }),
    expiry: t.field({
      type: SimExpiryRef,
      nullable: true,
      description: "Expiry, if set (S7). It stays visible after it was applied.",
      select: { expiresAt: true, expiryAction: true },
      resolve: (s) => (s.expiresAt && s.expiryAction ? { expiresAt: s.expiresAt, action: s.expiryAction } : null),
    }),
    sessionOnline: t.exposeBoolean("sessionOnline", { description: "Whether a network session is open (S4)." }),
    returnRequired: t.exposeBoolean("returnRequired", { description: "S8: a terminated JAPAN-coverage SIM must be sent back." }),
    ownedSince: t.field({
      type: "Date",
      description: "T8: first day (Asia/Tokyo) the current operator pays the base fee for.",
      select: { ownedSince: true },
      resolve: (s) => s.ownedSince!,
    }),
    terminatedAt: t.expose("terminatedAt", { type: "DateTime", nullable: true, description: "When it was terminated (S6)." }),
    createdAt: t.field({
      type: "DateTime",
      description: "When the current operator registered or received it.",
      select: { registeredAt: true, createdAt: true },
      resolve: (s) => s.registeredAt ?? s.createdAt,
    }),
    updatedAt: t.expose("updatedAt", { type: "DateTime", description: "Last change of any kind." }),
    statusHistory: t.relatedConnection(
      "statusHistory",
      {
        description: "Status changes while the current operator owned it, newest first.",
        cursor: "id",
        totalCount: true,
        // A previous owner's history is not the current owner's to see (T7).
        query: (_args, ctx) => ({ where: { operatorId: ctx.viewer?.id ?? "(nobody)" }, orderBy: [{ at: "desc" }, { id: "desc" }] }),
      },
      SimStatusChangeConnection,
    ),
    allowedActions: t.field({
      type: [SimActionEnum],
      description: "Status actions the caller may take on this SIM now, from the same rules that judge them (S3).",
      // U6: for a user, also what its statements allow on this SIM, which needs the SIM's IMSI, tags
      // and group: selected with the page (tags in the page's one tag statement), never per SIM.
      select: (_args, ctx) =>
        ctx.viewer?.principal.kind === "USER"
          ? { status: true, subscription: true, terminationProtected: true, imsi: true, groupId: true, tags: { select: { name: true, value: true }, orderBy: { name: "asc" } } }
          : { status: true, subscription: true, terminationProtected: true },
      resolve: async (s, _args, ctx) => {
        const statusAllows = allowedActions(s);
        const principal = ctx.viewer?.principal;
        if (principal?.kind !== "USER") return statusAllows;
        const sim = s as typeof s & { imsi: string; groupId: string | null; tags: { name: string; value: string }[] };
        const groups = sim.groupId ? await operatorGroupNames(ctx) : null;
        const resource = { kind: "sim" as const, imsi: sim.imsi, tags: sim.tags, group: sim.groupId ? (groups!.get(sim.groupId) ?? null) : null };
        return permittedOn(principal, statusAllows, (a) => simActionMutation[a], resource);
      },
    }),
  }),
});

/** U6: the mutation (and so the U3 action) each status action is taken with. */
const simActionMutation: Record<(typeof simActions)[number], string> = {
  ACTIVATE: "Sim:activateSim",
  DEACTIVATE: "Sim:deactivateSim",
  SET_TO_STANDBY: "Sim:setSimToStandby",
  SUSPEND: "Sim:suspendSim",
  TERMINATE: "Sim:terminateSim",
};

/** The operator's group names, read once per request (G1 bounds them at 1,000). */
function operatorGroupNames(ctx: Context) {
  return groupNamesOnce(ctx, () => ctx.db.simGroup.findMany({ select: { id: true, name: true } }));
}

const SimConnection = builder.connectionObject({ type: SimRef, name: "SimConnection" }, { name: "SimEdge" });

const SimTagFilter = builder.inputType("SimTagFilter", {
  description: "Matches SIMs carrying a tag with this name and value.",
  fields: (t) => ({
    name: t.string({ required: true, description: "Tag name." }),
    value: t.string({ required: true, description: "Tag value, or its start with PREFIX." }),
    match: t.field({ type: TagMatchEnum, required: false, defaultValue: "EXACT", description: "EXACT or PREFIX." }),
  }),
});
const SimFilter = builder.inputType("SimFilter", {
  description: "Every given condition must hold (S1).",
  fields: (t) => ({
    status: t.field({ type: [SimStatusEnum], required: false, description: "Any of these statuses." }),
    coverage: t.field({ type: CoverageEnum, required: false, description: "This coverage (the console shows one at a time)." }),
    subscription: t.stringList({ required: false, description: "Any of these subscriptions." }),
    tag: t.field({ type: SimTagFilter, required: false, description: "Carries this tag." }),
    sessionOnline: t.boolean({ required: false, description: "Session state." }),
    search: t.string({ required: false, description: "Case-insensitive partial match over IMSI, ICCID, MSISDN and name." }),
    groupId: t.id({ required: false, description: "G1: SIMs of this group (another operator's, or no group, matches nothing)." }),
  }),
});
const SimOrder = builder.inputType("SimOrder", {
  description: "How SIM listings are sorted.",
  fields: (t) => ({
    field: t.field({ type: SimOrderFieldEnum, required: true, description: "Sort key." }),
    direction: t.field({ type: OrderDirectionEnum, required: false, defaultValue: "ASC", description: "Direction." }),
  }),
});

type SimFilterShape = typeof SimFilter.$inferInput;

/**
 * The filter with the group named by its row ID; a malformed ID or one of another type becomes
 * NO_GROUP, which no row has, so it matches nothing (as a foreign group does).
 */
function listingFilter(filter: SimFilterShape | null | undefined): (Omit<SimFilterShape, "groupId"> & { groupId?: string | null }) | null | undefined {
  if (filter?.groupId == null) return filter as Omit<SimFilterShape, "groupId"> | null | undefined;
  return { ...filter, groupId: rowIdOf("SimGroup", filter.groupId) ?? NO_GROUP };
}
type SimRow = Prisma.SimGetPayload<Record<string, never>>;

/** S1 filters, S9 retention: terminated SIMs leave listings when their retention ends. */
export function simWhere(given: SimFilterShape | null | undefined, now: Date): Prisma.SimWhereInput {
  const filter = listingFilter(given);
  const where: Prisma.SimWhereInput = { listedUntil: { gt: now } };
  if (!filter) return where;
  if (filter.status) where.status = { in: filter.status };
  if (filter.coverage) where.coverage = filter.coverage;
  if (filter.subscription) where.subscription = { in: filter.subscription };
  if (filter.sessionOnline != null) where.sessionOnline = filter.sessionOnline;
  if (filter.tag) {
    where.tags = {
      some: filter.tag.match === "PREFIX" ? { name: filter.tag.name, valueKey: { startsWith: matchKey(filter.tag.value) } } : { name: filter.tag.name, value: filter.tag.value },
    };
  }
  if (filter.search) {
    const key = foldedMatchKey(filter.search);
    where.OR = [{ searchText: { contains: key } }, { nameKey: { contains: key } }];
  }
  if (filter.groupId != null) where.groupId = filter.groupId;
  return where;
}

function badInput(error: unknown): never {
  if (error instanceof InvalidCursor) throw new GraphQLError(error.message, { extensions: { code: "BAD_USER_INPUT" } });
  throw error;
}

function invalidCursorIsBadInput<T>(work: () => T): T {
  try {
    const result = work();
    return (result instanceof Promise ? result.catch(badInput) : result) as T;
  } catch (error) {
    return badInput(error);
  }
}

interface Page<T> {
  edges: ({ cursor: string; node: T } | null)[];
  pageInfo: { startCursor?: string | null; endCursor?: string | null; hasPreviousPage: boolean; hasNextPage: boolean };
}

/**
 * The page with each edge's cursor (and pageInfo's first and last) encoded on first read, once:
 * a listing that asks for no cursor, as most pages do, encodes none. Empty pages keep the cursors
 * resolveCursorConnection gave them (the arguments').
 */
function lazyCursors<C extends object>(connection: C, cursorOf: (node: SimRow) => string): C {
  const page = connection as unknown as Page<SimRow>;
  const edges = page.edges.map((edge) => {
    if (!edge) return edge;
    let cursor: string | undefined;
    return {
      node: edge.node,
      get cursor() {
        return (cursor ??= cursorOf(edge.node));
      },
    };
  });
  const first = edges[0];
  const last = edges.at(-1);
  const pageInfo = { ...page.pageInfo };
  if (edges.length > 0) {
    Object.defineProperty(pageInfo, "startCursor", { enumerable: true, get: () => first?.cursor });
    Object.defineProperty(pageInfo, "endCursor", { enumerable: true, get: () => last?.cursor });
  }
  return { ...connection, edges, pageInfo };
}

function pageBounds(order: SimOrderSpec, after: string | undefined, before: string | undefined): Prisma.SimWhereInput[] {
  return invalidCursorIsBadInput(() => [...(after ? [keysetWhere(order, after, "after")] : []), ...(before ? [keysetWhere(order, before, "before")] : [])]);
}

builder.prismaObjectField(OperatorRef, "sims", (t) =>
  t.connection(
    {
      type: SimRef,
      description: "The operator's SIMs (S1); terminated ones stay listed for the retention period (S9).",
      args: { filter: t.arg({ type: SimFilter, required: false }), orderBy: t.arg({ type: SimOrder, required: false }) },
      extensions: simKeysetCursor,
      select: { id: true },
      resolve: async (operator, args, ctx, info) => {
        const order: SimOrderSpec = simOrderSpecOf(args.orderBy);
        // Tags, history and the rest of the selection load with the page, not per SIM.
        const query = queryFromInfo({
          context: ctx,
          info,
          typeName: "Sim",
          path: ["edges", "node"],
          select: { id: true, registeredAt: true, imsi: true, name: true, status: true },
        });
        // The common selections (columns and tags) run as hand-written SQL (sims/listing-sql.ts);
        // Prisma plans the rest (history, relation counts).
        const plain = plainSelection(query);
        const reader = sqlReaderOf(ctx.unscopedDb);
        const now = ctx.clock.now();
        const owner = { operatorId: operator.id, viewerId: ctx.viewer?.id ?? null, sims: simReadScope(ctx.viewer) };
        // Cursors are encoded when asked for (lazyCursors), not for every row of every page.
        const connection = await resolveCursorConnection<Promise<SimRow[]>>(
          { args, toCursor: () => "", defaultSize: 20, maxSize: 1000 },
          ({ after, before, limit, inverted }) =>
            plain
              ? (invalidCursorIsBadInput(() => simPage(reader, { owner, filter: listingFilter(args.filter), now, order, after, before, limit, inverted }, plain)) as Promise<SimRow[]>)
              : (ctx.db.sim.findMany({
                  ...query,
                  where: { AND: [{ ...simWhere(args.filter, now), operatorId: operator.id }, ...pageBounds(order, after, before)] },
                  orderBy: keysetOrderBy(order, inverted),
                  take: limit,
                }) as Promise<SimRow[]>),
        );
        return { ...lazyCursors(connection!, (sim) => encodeCursor(order, sim)), totalCount: () => simCount(reader, owner, listingFilter(args.filter), now) };
      },
    },
    SimConnection,
  ),
);

builder.queryField("sim", (t) =>
  t.prismaField({
    type: "Sim",
    nullable: true,
    description: "One of the viewer's SIMs by IMSI; null if none (also for another operator's IMSI, O4).",
    args: { imsi: t.arg.string({ required: true }) },
    resolve: (query, _root, { imsi }, ctx) =>
      imsi.length > 32 ? null : ctx.db.sim.findFirst({ ...query, where: { imsi, listedUntil: { gt: ctx.clock.now() } } }),
  }),
);

export interface SimPayloadShape {
  sim?: { id: string } | null;
  /**
   * Every column of the SIM as the call's transaction left it: read under the transaction's lock
   * with its operator named (O4), with the columns the call wrote (sims/sim-update.ts).
   */
  written?: Sim | null;
  userErrors: UserError[];
}

/**
 * Whether the payload's SIM can be answered from `written` rather than read again after the
 * commit: the selection asks for columns only (no relation, no count), and the viewer's read scope
 * (U4) is every SIM of its operator, so the tenant client would add nothing to the owner check
 * (O4) the locked read already made. A user with a narrower scope reads the SIM again: its own
 * change may have taken the SIM out of its reach.
 */
function answeredFromWritten(query: { select?: Record<string, unknown>; include?: unknown }, ctx: Context): boolean {
  return ctx.viewer !== null && simReadScope(ctx.viewer) === null && plainSelection(query)?.tags === null;
}

export const SimPayload = builder.objectRef<SimPayloadShape>("SimPayload").implement({
  description: "The SIM after the change; null when refused.",
  fields: (t) => ({
    sim: t.prismaField({
      type: "Sim",
      nullable: true,
      description: "The SIM as it is now.",
      // Admin calls (no viewer) return SIMs too, unscoped; a viewer sees the SIM through its own
      // scope (O4, U4: a user whose change took the SIM out of its reach sees null).
      resolve: (query, p, _args, ctx) => {
        if (!p.sim) return null;
        if (p.written && answeredFromWritten(query, ctx)) return p.written;
        return (ctx.viewer ? ctx.db : ctx.unscopedDb).sim.findUnique({ ...query, where: { id: p.sim.id } });
      },
    }),
    userErrors: t.field({ type: [UserErrorRef], description: "Empty on success.", resolve: (p) => p.userErrors }),
  }),
});
