// S1 listing as hand-written SQL: the request every console page and integration makes most. The
// statements mean what the Prisma query in graphql/sim.ts means (same filters, same keyset, same
// order), and run on the driver (db/sql-reader.ts). Every statement here starts from the owner
// condition `ownedBy` adds: the O4 rule of db/tenant.ts, for the reads that do not pass Prisma.
import { getDatamodel } from "../db/generated/pothos-types.ts";
import type { ColumnKind, SqlReader } from "../db/sql-reader.ts";
import { foldedMatchKey, matchKey } from "../domain/match-key.ts";
import { simStatuses, type SimStatus } from "../domain/sim-status.ts";
import { keysetBound, orderKeys, type SimOrderSpec } from "./keyset.ts";
import type { SimPattern, SimScope } from "../domain/permissions.ts";

export interface SimListingFilter {
  status?: readonly SimStatus[] | null;
  coverage?: "GLOBAL" | "JAPAN" | null;
  subscription?: readonly string[] | null;
  tag?: { name: string; value: string; match?: "EXACT" | "PREFIX" | null } | null;
  sessionOnline?: boolean | null;
  search?: string | null;
  /** G1: the group's row ID (NO_GROUP for a name that named none). */
  groupId?: string | null;
}

/** A group row ID no row has (row IDs are UUIDs): the filter of a group ID that named nothing. */
export const NO_GROUP = "(no group)";

function columnKinds(model: string): Record<string, ColumnKind> {
  const fields = getDatamodel().datamodel.models[model]!.fields;
  const kind = (type: string): ColumnKind => (type === "DateTime" ? "date" : type === "Boolean" ? "boolean" : type === "Int" ? "int" : "string");
  return Object.fromEntries(fields.filter((f) => f.kind === "scalar" || f.kind === "enum").map((f) => [f.name, kind(f.type)]));
}
/** Every column of Sim in Prisma's model, with its JavaScript kind. */
export const simKinds = columnKinds("Sim");
const tagKinds = columnKinds("SimTag");

/** What a page must load, when SQL can load it: Sim columns, and tag columns if tags are asked for. */
export interface PlainSelection {
  sim: string[];
  tags: string[] | null;
}

type Selection = Record<string, unknown>;
const onlyColumns = (select: Selection, kinds: Record<string, ColumnKind>) => Object.entries(select).every(([k, v]) => v === true && k in kinds);

/**
 * The plan's Prisma selection, if it is one this module serves: Sim columns, and `tags` by name.
 * Anything else (history, counts of relations) goes through Prisma, which plans it.
 */
export function plainSelection(query: { select?: Selection; include?: unknown }): PlainSelection | null {
  if (!query.select || query.include) return null;
  const { tags, ...columns } = query.select;
  if (!onlyColumns(columns, simKinds)) return null;
  if (tags === undefined) return { sim: Object.keys(columns), tags: null };
  const t = tags as { select?: Selection; orderBy?: unknown } & Selection;
  const keys = Object.keys(t).sort().join();
  if (keys !== "orderBy,select" || JSON.stringify(t.orderBy) !== `{"name":"asc"}` || !t.select || !onlyColumns(t.select, tagKinds)) return null;
  return { sim: Object.keys(columns), tags: Object.keys(t.select) };
}

const q = (column: string) => `"${column}"`;
const marks = (n: number) => Array.from({ length: n }, () => "?").join(", ");

class Where {
  readonly parts: string[] = [];
  readonly params: unknown[] = [];
  add(sql: string, ...params: unknown[]): this {
    this.parts.push(sql);
    this.params.push(...params);
    return this;
  }
  /** `column IN (…)`; an empty list matches nothing, as Prisma's `in: []` does. */
  anyOf(column: string, values: readonly unknown[]): this {
    return values.length ? this.add(`${q(column)} IN (${marks(values.length)})`, ...values) : this.add("1 = 0");
  }
  get sql(): string {
    return this.parts.join(" AND ");
  }
}

/** Whose SIMs: the operator being listed, seen by the signed-in viewer (null: nobody). */
export interface Owner {
  operatorId: string;
  viewerId: string | null;
  /** U4: the SIMs a user may read (auth/access.ts simReadScope); null or absent: all of them. */
  sims?: SimScope | null;
}

/** The smallest IMSI string above every IMSI starting with `prefix` (digits only), or null when none is. */
function imsiPrefixEnd(prefix: string): string | null {
  const digits = prefix.replace(/9+$/, "");
  return digits.length === 0 ? null : digits.slice(0, -1) + String(Number(digits.at(-1)) + 1);
}

/**
 * One U4 pattern as SQL on "Sim", meaning what db/tenant.ts simScopeWhere means. Never NULL (NOT of
 * a NULL would drop the row), and each an index seek: an IMSI prefix is a range on (operatorId, imsi)
 * (IMSIs are digits, so the range is exactly the prefix), a tag an EXISTS probe on SimTag's
 * (simId, name) key, a group the IDs of one (operatorId, name) group.
 */
function patternSql(pattern: SimPattern, operatorId: string): [string, unknown[]] {
  switch (pattern.kind) {
    case "all":
      return ["1 = 1", []];
    case "imsi": {
      if (!pattern.prefix) return [`"imsi" = ?`, [pattern.value]];
      const end = imsiPrefixEnd(pattern.value);
      return end === null ? [`"imsi" >= ?`, [pattern.value]] : [`("imsi" >= ? AND "imsi" < ?)`, [pattern.value, end]];
    }
    case "tag":
      return [
        `EXISTS (SELECT 1 FROM "SimTag" WHERE "SimTag"."simId" = "Sim"."id" AND "SimTag"."name" = ? AND ${pattern.prefix ? `"SimTag"."valueKey" LIKE ?` : `"SimTag"."value" = ?`})`,
        [pattern.name, pattern.prefix ? `${matchKey(pattern.value)}%` : pattern.value],
      ];
    case "group":
      return [`("groupId" IS NOT NULL AND "groupId" IN (SELECT "id" FROM "SimGroup" WHERE "operatorId" = ? AND "name" = ?))`, [operatorId, pattern.name]];
  }
}

function anyPattern(patterns: readonly SimPattern[], operatorId: string): [string, unknown[]] {
  const parts = patterns.map((p) => patternSql(p, operatorId));
  return [`(${parts.map(([sql]) => sql).join(" OR ")})`, parts.flatMap(([, params]) => params)];
}

/**
 * U4 for statements on other tables: the IDs of the operator's SIMs a scope allows, as a subquery
 * (`<column> IN (…)`), meaning what db/tenant.ts simScopeWhere means.
 */
export function readableSimIdsSql(scope: SimScope, operatorId: string): [string, unknown[]] {
  const where = ownedBy({ operatorId, viewerId: operatorId, sims: scope });
  return [`SELECT "Sim"."id" FROM "Sim" WHERE ${where.sql}`, where.params];
}

/** O4 for these statements: every one starts here, and only the viewer's own SIMs match; U4 narrows them to a user's readable SIMs. */
function ownedBy(owner: Owner): Where {
  const where = new Where().add(`"operatorId" = ?`, owner.operatorId);
  if (owner.viewerId !== owner.operatorId) return where.add("1 = 0");
  const scope = owner.sims;
  if (!scope) return where;
  if (scope.allow.length === 0) return where.add("1 = 0");
  const [allow, allowParams] = anyPattern(scope.allow, owner.operatorId);
  where.add(allow, ...allowParams);
  if (scope.deny.length > 0) {
    const [deny, denyParams] = anyPattern(scope.deny, owner.operatorId);
    where.add(`NOT ${deny}`, ...denyParams);
  }
  return where;
}

/** S1 filters and S9 retention, as in graphql/sim.ts `simWhere`. */
function filtered(owner: Owner, filter: SimListingFilter | null | undefined, now: Date): Where {
  const where = ownedBy(owner).add(`"listedUntil" > ?`, now);
  if (!filter) return where;
  if (filter.status) where.anyOf("status", filter.status);
  if (filter.coverage) where.add(`"coverage" = ?`, filter.coverage);
  if (filter.subscription) where.anyOf("subscription", filter.subscription);
  if (filter.sessionOnline != null) where.add(`"sessionOnline" = ?`, filter.sessionOnline);
  if (filter.tag) {
    const prefix = filter.tag.match === "PREFIX";
    where.add(
      `EXISTS (SELECT 1 FROM "SimTag" WHERE "SimTag"."simId" = "Sim"."id" AND "SimTag"."name" = ? AND ${prefix ? `"SimTag"."valueKey" LIKE ?` : `"SimTag"."value" = ?`})`,
      filter.tag.name,
      prefix ? `${matchKey(filter.tag.value)}%` : filter.tag.value,
    );
  }
  if (filter.search) {
    const pattern = `%${foldedMatchKey(filter.search)}%`;
    where.add(`("searchText" LIKE ? OR "nameKey" LIKE ?)`, pattern, pattern);
  }
  // With the owner first, the (operatorId, groupId, registeredAt, id) index serves the page.
  if (filter.groupId != null) where.add(`"groupId" = ?`, filter.groupId);
  return where;
}

export interface PageRequest {
  owner: Owner;
  filter: SimListingFilter | null | undefined;
  now: Date;
  order: SimOrderSpec;
  after?: string;
  before?: string;
  limit: number;
  /** Walk backwards (a `last` page): the caller reverses the rows. */
  inverted: boolean;
}

type Row = Record<string, unknown> & { id: string };

/** One page of SIMs with the selected columns, and their tags in one more statement. */
export async function simPage(reader: SqlReader, request: PageRequest, selection: PlainSelection): Promise<Row[]> {
  const { order } = request;
  const column = orderKeys[order.field];
  const where = filtered(request.owner, request.filter, request.now);
  for (const [cursor, side] of [[request.after, "after"], [request.before, "before"]] as const) {
    if (!cursor) continue;
    const bound = keysetBound(order, cursor, side);
    where.add(`${q(column)} ${bound.larger ? ">=" : "<="} ? AND NOT (${q(column)} = ? AND "id" ${bound.larger ? "<=" : ">="} ?)`, bound.value, bound.value, bound.id);
  }
  const direction = order.descending !== request.inverted ? "DESC" : "ASC";
  const columns = [...new Set(["id", column, ...selection.sim])];
  const rows = await reader.all<Row>(
    `SELECT ${columns.map(q).join(", ")} FROM "Sim" WHERE ${where.sql} ORDER BY ${q(column)} ${direction}, "id" ${direction} LIMIT ?`,
    [...where.params, request.limit],
    simKinds,
  );
  if (selection.tags && rows.length > 0) {
    const tagColumns = [...new Set(["simId", ...selection.tags])];
    // Ordered by the (simId, name) key, so the look-up is one index range per SIM; ordered by name
    // alone, the planner may walk every tag of the operator to avoid a sort.
    const tags = await reader.all<{ simId: string }>(
      `SELECT ${tagColumns.map(q).join(", ")} FROM "SimTag" WHERE "operatorId" = ? AND "simId" IN (${marks(rows.length)}) ORDER BY "simId", "name"`,
      [request.owner.operatorId, ...rows.map((r) => r.id)],
      tagKinds,
    );
    const bySim = new Map<string, unknown[]>(rows.map((r) => [r.id, []]));
    for (const tag of tags) bySim.get(tag.simId)!.push(tag);
    for (const row of rows) row.tags = bySim.get(row.id);
  }
  return rows;
}

/**
 * S1 totalCount. Filters on status, coverage and subscription read the counters the database keeps
 * (SimCount, maintained by triggers): no scan, whatever the number of SIMs. Terminated SIMs leave
 * listings with time (S9), so they are counted live; so are filters on tags, sessions and search, and
 * groups, and every count for a user whose reads are scoped (U4).
 */
export async function simCount(reader: SqlReader, owner: Owner, filter: SimListingFilter | null | undefined, now: Date): Promise<number> {
  const count = async (sql: string, params: unknown[]) => (await reader.all<{ n: number | null }>(sql, params, { n: "int" }))[0]?.n ?? 0;
  // A user's scope (U4) narrows by IMSI, tags and group, which the counters (kept per status,
  // coverage and subscription) know nothing of: its count is a live scan of the scoped rows.
  // A group's SIMs are counted live too: SimGroup.simCount also holds its terminated SIMs past
  // retention until the scheduler takes them out (G2), and the other filters still apply.
  if (owner.sims || filter?.tag || filter?.search || filter?.sessionOnline != null || filter?.groupId != null) {
    const where = filtered(owner, filter, now);
    return count(`SELECT COUNT(*) AS "n" FROM "Sim" WHERE ${where.sql}`, where.params);
  }
  const statuses = filter?.status ?? simStatuses;
  const scope = () => {
    const where = ownedBy(owner);
    if (filter?.coverage) where.add(`"coverage" = ?`, filter.coverage);
    if (filter?.subscription) where.anyOf("subscription", filter.subscription);
    return where;
  };
  const live = statuses.filter((s) => s !== "TERMINATED");
  let total = 0;
  if (live.length > 0) {
    const where = scope().anyOf("status", live);
    total += await count(`SELECT COALESCE(SUM("n"), 0) AS "n" FROM "SimCount" WHERE ${where.sql}`, where.params);
  }
  if (statuses.includes("TERMINATED")) {
    const where = scope().add(`"status" = 'TERMINATED'`).add(`"listedUntil" > ?`, now);
    total += await count(`SELECT COUNT(*) AS "n" FROM "Sim" WHERE ${where.sql}`, where.params);
  }
  return total;
}
