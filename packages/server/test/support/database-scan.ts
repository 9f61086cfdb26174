// Reads every table of the test database, all columns, as text: tests look for what must never be
// stored (secrets handed to a client). Tables come from the engine's own catalog, so a table added
// later is scanned too.
import type { Harness } from "./harness.ts";

export interface TableText {
  table: string;
  text: string;
}

function cellText(value: unknown): string {
  if (value === null || value === undefined) return "";
  if (value instanceof Uint8Array) return `${Buffer.from(value).toString("latin1")}\n${Buffer.from(value).toString("hex")}\n${Buffer.from(value).toString("base64")}`;
  if (value instanceof Date) return value.toISOString();
  return typeof value === "object" ? JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? String(v) : v)) : String(value);
}

export async function tableNames(h: Harness): Promise<string[]> {
  const rows =
    h.app.target.provider === "sqlite"
      ? await h.app.db.$queryRawUnsafe<{ name: string }[]>(`SELECT name FROM sqlite_master WHERE type = 'table'`)
      : await h.app.db.$queryRawUnsafe<{ name: string }[]>(
          `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = current_schema() AND table_type = 'BASE TABLE'`,
        );
  return rows.map((r) => r.name);
}

export async function everyTable(h: Harness): Promise<TableText[]> {
  const out: TableText[] = [];
  for (const table of await tableNames(h)) {
    const rows = await h.app.db.$queryRawUnsafe<Record<string, unknown>[]>(`SELECT * FROM "${table.replaceAll('"', '""')}"`);
    out.push({ table, text: rows.map((row) => Object.values(row).map(cellText).join("\t")).join("\n") });
  }
  return out;
}

/** The secret and the pieces a leak could hold it as: each run of 16 characters, and its encodings. */
export function secretForms(secret: string): string[] {
  const forms = new Set([secret, Buffer.from(secret).toString("base64"), Buffer.from(secret).toString("hex")]);
  for (let i = 0; i + 16 <= secret.length; i += 1) forms.add(secret.slice(i, i + 16));
  return [...forms];
}

/** Where (table) any form of any of these secrets is stored; empty when none is. */
export async function findStored(h: Harness, secrets: Record<string, string>): Promise<string[]> {
  const tables = await everyTable(h);
  const found: string[] = [];
  for (const [label, secret] of Object.entries(secrets)) {
    for (const form of secretForms(secret)) {
      for (const { table, text } of tables) if (text.includes(form)) found.push(`${label} in ${table} (as ${JSON.stringify(form)})`);
    }
  }
  return found;
}
