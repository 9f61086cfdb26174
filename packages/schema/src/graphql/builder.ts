// Schema builder setup only: plugins, scalars' shapes. Types live in their own files.
import SchemaBuilder from "@pothos/core";
import PrismaPlugin from "@pothos/plugin-prisma";
import RelayPlugin from "@pothos/plugin-relay";
import { isObjectType, type GraphQLSchema } from "graphql";
import type { Context } from "../context.ts";
import { getDatamodel, type default as PrismaTypes } from "../db/generated/pothos-types.ts";
import { safeDecode } from "../ids/global-id.ts";
import "./input-bounds.ts";
import "./loaded-columns.ts";
import { loadNodes } from "./nodes.ts";

function isNodeId(schema: GraphQLSchema, id: { typename: string } | null | undefined): boolean {
  const type = id ? schema.getType(id.typename) : undefined;
  return isObjectType(type) && type.getInterfaces().some((i) => i.name === "Node");
}

export const builder = new SchemaBuilder<{
  Context: Context;
  PrismaTypes: PrismaTypes;
  Scalars: {
    DateTime: { Input: Date; Output: Date };
    Date: { Input: string; Output: string };
    ID: { Input: string; Output: string };
  };
  // The contract's fields are non-null unless it says otherwise; so are ours.
  DefaultFieldNullability: false;
  DefaultEdgesNullability: false;
  DefaultNodeNullability: false;
  // Every list connection of the contract reports its total; resolvers give a number or a thunk.
  Connection: { totalCount: number | (() => number | Promise<number>) };
}>({
  // Who may call what is decided in one place, field-access.ts, applied to the built schema.
  // loadedColumns first: its wrapper sits outside the Prisma plugin's (loaded-columns.ts).
  plugins: ["loadedColumns", PrismaPlugin, RelayPlugin, "inputBounds"],
  defaultFieldNullability: false,
  prisma: {
    client: (ctx) => ctx.db,
    dmmf: getDatamodel(),
    filterConnectionTotalCount: true,
    onUnusedQuery: null,
  },
  relay: {
    clientMutationId: "omit",
    cursorType: "String",
    edgesFieldOptions: { nullable: false },
    nodeFieldOptions: { nullable: false },
    nodeTypeOptions: { description: "An object with a global, opaque ID: fetch it again with `node(id:)`." },
    pageInfoTypeOptions: { description: "Where a page sits in its list: pass `endCursor` as `after` for the next page." },
    // Malformed IDs and IDs of unknown types name nothing: null, like a missing or foreign ID.
    decodeGlobalID: (globalID) => safeDecode(globalID) ?? { typename: "", id: "" },
    nodeQueryOptions: {
      description: "Any object by its global ID; null when it does not exist or is not yours (O4).",
      resolve: (_root, args, _ctx, info, load) => (isNodeId(info.schema, args.id) ? load(args.id) : null),
    },
    nodesQueryOptions: {
      description: "Objects by global IDs, in order; null for each that does not exist or is not yours (O4).",
      args: { ids: { description: "Global IDs.", extensions: { maxItems: 100 } } },
      resolve: (_root, args, ctx, info) => loadNodes(ctx, info, args.ids.map((id) => (isNodeId(info.schema, id) ? id : null))),
    },
  },
});

builder.queryType({ description: "Entry points for reading. Operator-scoped data hangs off `viewer`." });
builder.mutationType({
  description: "Every mutation returns a payload whose `userErrors` is empty on success (domain refusals are data).",
});

builder.globalConnectionField("totalCount", (t) =>
  t.int({
    description: "How many items match, across all pages.",
    resolve: (connection) => (typeof connection.totalCount === "function" ? connection.totalCount() : connection.totalCount),
  }),
);
