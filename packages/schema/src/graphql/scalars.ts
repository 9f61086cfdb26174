import { GraphQLError, Kind } from "graphql";
import { builder } from "./builder.ts";

// Offsets are required: an instant without one is ambiguous.
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

// Instants are stored and compared as UTC: an offset can carry a four-digit local year into year
// 10000 (9999-12-31T23:59:59-14:00), which SQLite compares as text and PostgreSQL cannot read back.
export const FIRST_UTC_YEAR = 1970;
export const LAST_UTC_YEAR = 9999;

/**
 * Bad input refused before execution: HTTP 400 whether the value came as a variable or as a literal
 * (validation reports a literal's GraphQLError as thrown; `spec: false` keeps yoga from answering
 * 200 to `Accept: application/json` clients, as in query-limits.ts).
 */
const badInput = (message: string) => new GraphQLError(message, { extensions: { code: "BAD_USER_INPUT", http: { status: 400, spec: false } } });

/** Echoes at most this much of a refused value. */
const ECHO_MAX = 40;

function parseInstant(value: unknown): Date {
  const shown = typeof value === "string" && value.length > ECHO_MAX ? `${JSON.stringify(value.slice(0, ECHO_MAX))}…` : JSON.stringify(value);
  if (typeof value !== "string" || !ISO_INSTANT.test(value) || Number.isNaN(Date.parse(value))) {
    throw badInput(`DateTime must be an ISO 8601 instant with an offset, e.g. 2026-11-21T09:30:00Z; got ${shown}.`);
  }
  const instant = new Date(value);
  const year = instant.getUTCFullYear();
  if (year < FIRST_UTC_YEAR || year > LAST_UTC_YEAR) {
    throw badInput(`DateTime must fall in the UTC years ${FIRST_UTC_YEAR} to ${LAST_UTC_YEAR}; ${shown} is in UTC year ${year}.`);
  }
  return instant;
}

function parseDate(value: unknown): string {
  if (typeof value !== "string" || !ISO_DATE.test(value) || Number.isNaN(Date.parse(`${value}T00:00:00Z`))) {
    throw badInput(`Date must be YYYY-MM-DD; got ${JSON.stringify(value)}.`);
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
