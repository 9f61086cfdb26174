// V6: the key that seals webhook signing secrets. SIMGATE_ENCRYPTION_KEY when set; otherwise a
// random key generated once into the data folder (the SQLite file's folder, or SIMGATE_DATA_DIR,
// or ./data) and read from there afterwards. A generated key lives on one machine only: several
// instances (PostgreSQL) must share SIMGATE_ENCRYPTION_KEY, or they cannot open each other's secrets.
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import type { DatabaseTarget } from "@simgate/schema/db/database";

export const KEY_FILE = "simgate-encryption.key";

export function encryptionKeyFrom(configured: string | undefined, target: DatabaseTarget, dataDir: string | undefined): { key: Buffer; source: "config" | "file" } {
  if (configured) return { key: Buffer.from(configured, /^[0-9a-fA-F]{64}$/.test(configured) ? "hex" : "base64"), source: "config" };
  const folder = resolve(dataDir ?? (target.file ? dirname(target.file) : "data"));
  const path = join(folder, KEY_FILE);
  mkdirSync(folder, { recursive: true });
  try {
    // "wx": two processes starting at once cannot both write; the loser reads the winner's key.
    writeFileSync(path, randomBytes(32).toString("base64"), { flag: "wx", mode: 0o600 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
  }
  const key = Buffer.from(readFileSync(path, "utf8").trim(), "base64");
  if (key.length !== 32) throw new Error(`${path} does not hold a 32-byte key`);
  return { key, source: "file" };
}
