import { GraphQLError, Kind } from "graphql";
import { builder } from "./builder.ts";

// Offsets are required: an instant without one is ambiguous.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function parseInstant(value: unknown): Date {
  if (typeof value !== "string" || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    throw new GraphQLError(`DateTime must be an ISO 8601 instant with an offset, e.g. 2026-11-21T09:30:00Z; got ${JSON.stringify(value)}.`);
  }
  return new Date(value);
}

function parseDate(value: unknown): string {
  if (typeof value !== "string" || !ISO_DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw new GraphQLError(`Date must be YYYY-MM-DD; got ${JSON.stringify(value)}.`);
  }
  return value;
}

builder.scalarType("DateTime", {
  description: "An ISO 8601 instant in UTC, e.g. 2026-11-21T09:30:00Z.",
  serialize: (value) => (value instanceof Date ? value : new Date(value as string)).toISOString(),
  parseValue: parseInstant,
  parseLiteral: (ast) => parseInstant(ast.kind === Kind.STRING ? ast.value : undefined),
});

builder.scalarType("Date", {
  description: "A calendar date in Asia/Tokyo, YYYY-MM-DD.",
  serialize: (value) => parseDate(value),
  parseValue: parseDate,
  parseLiteral: (ast) => parseDate(ast.kind === Kind.STRING ? ast.value : undefined),
});
