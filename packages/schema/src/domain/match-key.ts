// Text the database matches with LIKE (S1 search, tag prefixes) is stored and searched in a form
// with no LIKE wildcards and no ASCII capitals: then `contains` / `startsWith` mean the same on
// SQLite (whose LIKE has no default escape and ignores ASCII case) and PostgreSQL.
const PERCENT = "\uE001";
const UNDERSCORE = "\uE002";
const UPPER = "\uE000";

/** Case-sensitive key: a capital letter becomes a marker plus the small letter. */
export function matchKey(text: string): string {
  return text.replace(/[%_A-Z]/g, (c) => (c === "%" ? PERCENT : c === "_" ? UNDERSCORE : UPPER + c.toLowerCase()));
}

/** Case-insensitive key. */
export function foldedMatchKey(text: string): string {
  return matchKey(text.toLowerCase());
}
