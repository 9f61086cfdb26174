// Columns already on the row answer at once. The Prisma plugin wraps every field of a Prisma type
// that selects columns (exposed columns included) and, on every row, looks the row's load plan up
// by response path before answering, so that a row loaded without the column gets it loaded. A
// page of 50 SIMs asked for IMSI, status, expiry and tags made several hundred such look-ups, and they
// cost more than reading the values (bench/RESULTS.md). This plugin sits outside the Prisma
// plugin's wrapper and answers a field from the row when everything the field selects is already
// there: the exposed column, every column of a field's fixed selection, or a relation already
// loaded whose type has only such fields (a SIM's tags), so that its rows need no plan either.
// Anything else (a missing column or relation, counts, selections that depend on arguments, a
// relation whose rows have relations of their own) goes through the Prisma plugin as before.
import SchemaBuilder, { BasePlugin, type PothosOutputFieldConfig, type SchemaTypes } from "@pothos/core";
import { getNamedType, isObjectType, type GraphQLFieldResolver, type GraphQLResolveInfo } from "graphql";

type Row = Record<string, unknown>;

/** A column's value as the row holds it: relations and counts arrive as objects or lists. */
const isColumnValue = (value: unknown) => value === null || typeof value !== "object" || value instanceof Date;

/** The columns of a fixed selection `{ column: true, … }`; null for anything else. */
function fixedColumns(select: unknown): string[] | null {
  if (!select || typeof select !== "object") return null;
  const entries = Object.entries(select as Record<string, unknown>);
  return entries.length > 0 && entries.every(([, v]) => v === true) ? entries.map(([k]) => k) : null;
}

/** Whether every field of the type a relation returns answers from its row (see the header). */
function returnsFlatRows(info: GraphQLResolveInfo): boolean {
  const type = getNamedType(info.returnType);
  return isObjectType(type) && Object.values(type.getFields()).every((f) => f.args.length === 0 && (f.extensions.pothosPrismaSelect === undefined || fixedColumns(f.extensions.pothosPrismaSelect) !== null));
}

export class LoadedColumnsPlugin<Types extends SchemaTypes> extends BasePlugin<Types> {
  override wrapResolve(resolver: GraphQLFieldResolver<unknown, Types["Context"], object>, fieldConfig: PothosOutputFieldConfig<Types>): GraphQLFieldResolver<unknown, Types["Context"], object> {
    const extensions = fieldConfig.extensions ?? {};
    if (fieldConfig.kind !== "PrismaObject" || Object.keys(fieldConfig.args).length > 0) return resolver;
    // The field's own resolver, as the Prisma plugin would call it once it found the row loaded
    // (no other plugin of this builder wraps resolvers; loaded-columns.test.ts holds to that).
    const own = extensions.pothosOriginalResolve as GraphQLFieldResolver<unknown, Types["Context"], object> | undefined;
    const relation = (extensions.pothosPrismaRelationField as { name?: unknown } | undefined)?.name;
    if (typeof own !== "function") return resolver;
    if (typeof relation === "string") {
      let flat: boolean | undefined; // the returned type's fields, looked at once
      return (parent, args, context, info) => {
        const rows = (parent as Row)[relation];
        return rows !== undefined && (flat ??= returnsFlatRows(info)) ? own(parent, args, context, info) : resolver(parent, args, context, info);
      };
    }
    // An exposed column is a fixed selection of that one column; its own resolver reads it.
    const columns = fixedColumns(extensions.pothosPrismaSelect);
    if (!columns) return resolver;
    return (parent, args, context, info) => {
      const row = parent as Row;
      for (const column of columns) {
        const value = row[column];
        if (value === undefined || !isColumnValue(value)) return resolver(parent, args, context, info);
      }
      return own(parent, args, context, info);
    };
  }
}

SchemaBuilder.registerPlugin("loadedColumns", LoadedColumnsPlugin);

declare global {
  export namespace PothosSchemaTypes {
    export interface Plugins<Types extends SchemaTypes> {
      loadedColumns: LoadedColumnsPlugin<Types>;
    }
  }
}
