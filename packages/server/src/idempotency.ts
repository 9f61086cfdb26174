// P4 on the server: a request carrying `Idempotency-Key` runs once per caller and key; retries
// of it (the SDK retries mutations only with a key) get the first response back. Records live in
// the database, so the instance that answers a retry need not be the one that ran the request.
// A stored answer may carry a secret (a bearer token from authenticate or signUp, an auth key's
// secret, a mailed token an administrator read): every answer is stored sealed (AES-256-GCM) under
// a key derived from what the caller sends again with its retry, its Authorization header and the
// Idempotency-Key, so the database alone reads none of them. The request body is kept only as an
// HMAC under the same derivation: a plain digest would let a database reader test guessed passwords.
import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes } from "node:crypto";
import type { Plugin } from "graphql-yoga";
import type { Db } from "@simgate/schema/db/database";
import { isUniqueViolation } from "@simgate/schema/db/unique-violation";
import type { Clock } from "@simgate/schema/domain/clock";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "idempotent-replayed";
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

const SEALED_PREFIX = "v1:";
const HKDF_SALT = "simgate idempotency record";

interface RecordKeys {
  /** Names the record; stored (SHA-256 of the header and the key). */
  scopeKey: string;
  seal: Buffer;
  mac: Buffer;
}

function recordKeys(authorization: string, idempotencyKey: string): RecordKeys {
  const secret = `${authorization}\n${idempotencyKey}`;
  const okm = Buffer.from(hkdfSync("sha256", secret, HKDF_SALT, "simgate idempotency v1", 64));
  return { scopeKey: sha256(secret), seal: okm.subarray(0, 32), mac: okm.subarray(32) };
}

/** `v1:<iv>:<ciphertext><tag>` (base64url); the scope key is authenticated with it, so a sealed answer cannot be moved to another record. */
function sealAnswer(keys: RecordKeys, body: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv("aes-256-gcm", keys.seal, iv);
  cipher.setAAD(Buffer.from(keys.scopeKey));
  const sealed = Buffer.concat([cipher.update(body, "utf8"), cipher.final(), cipher.getAuthTag()]);
  return `${SEALED_PREFIX}${iv.toString("base64url")}:${sealed.toString("base64url")}`;
}

/** The stored answer, or null when it was not sealed under these keys. */
function openAnswer(keys: RecordKeys, stored: string): string | null {
  const [iv, sealed] = stored.startsWith(SEALED_PREFIX) ? stored.slice(SEALED_PREFIX.length).split(":") : [];
  if (!iv || !sealed) return null;
  try {
    const bytes = Buffer.from(sealed, "base64url");
    const decipher = createDecipheriv("aes-256-gcm", keys.seal, Buffer.from(iv, "base64url"));
    decipher.setAAD(Buffer.from(keys.scopeKey));
    decipher.setAuthTag(bytes.subarray(bytes.length - 16));
    return Buffer.concat([decipher.update(bytes.subarray(0, bytes.length - 16)), decipher.final()]).toString("utf8");
  } catch {
    return null;
  }
}

function graphqlError(status: number, code: string, message: string, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify({ errors: [{ message, extensions: { code } }] }), {
    status,
    headers: { "content-type": "application/json", ...headers },
  });
}

/**
 * `abandonedAfterMs`: a first request still unfinished after this long is taken to have died with
 * its server (kill -9), and a retry runs it again.
 */
export function useIdempotency(db: Db, clock: Clock, abandonedAfterMs = 60_000): Plugin {
  // Requests whose record this instance created, and must complete.
  const owned = new WeakMap<Request, { id: string; keys: RecordKeys }>();

  return {
    async onRequest({ request, endResponse }) {
      const key = request.headers.get(IDEMPOTENCY_HEADER);
      if (key === null || request.method !== "POST") return;
      if (!KEY_PATTERN.test(key)) {
        endResponse(graphqlError(400, "BAD_REQUEST", "Idempotency-Key must be 1 to 200 visible ASCII characters."));
        return;
      }
      const keys = recordKeys(request.headers.get("authorization") ?? "", key);
      const { scopeKey } = keys;
      const requestHash = createHmac("sha256", keys.mac).update(await request.clone().text()).digest("hex");
      const now = clock.now();
      try {
        const record = await db.idempotencyRecord.create({ data: { scopeKey, requestHash, createdAt: now } });
        owned.set(request, { id: record.id, keys });
        return;
      } catch (error) {
        if (!isUniqueViolation(error)) throw error;
      }
      const existing = await db.idempotencyRecord.findUnique({ where: { scopeKey } });
      if (!existing) {
        endResponse(graphqlError(409, "IDEMPOTENCY_IN_PROGRESS", "A request with this Idempotency-Key just finished; retry.", { "retry-after": "1" }));
        return;
      }
      if (existing.requestHash !== requestHash) {
        endResponse(graphqlError(422, "IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used for a different request."));
        return;
      }
      if (existing.status !== null && existing.body !== null) {
        const body = openAnswer(keys, existing.body);
        // Only a record altered in the database fails to open: answer nothing rather than a forgery.
        if (body === null) {
          endResponse(graphqlError(500, "IDEMPOTENCY_RECORD_UNREADABLE", "The answer stored for this Idempotency-Key cannot be read; check whether the request took effect before sending it with a new key."));
          return;
        }
        endResponse(new Response(body, { status: existing.status, headers: { "content-type": "application/json", [REPLAYED_HEADER]: "true" } }));
        return;
      }
      // Still running: unless its server died, the caller waits and retries.
      const takeover = await db.idempotencyRecord.updateMany({
        where: { id: existing.id, status: null, createdAt: { lt: new Date(now.getTime() - abandonedAfterMs) } },
        data: { createdAt: now },
      });
      if (takeover.count === 1) {
        owned.set(request, { id: existing.id, keys });
        return;
      }
      endResponse(graphqlError(409, "IDEMPOTENCY_IN_PROGRESS", "A request with this Idempotency-Key is still running; retry.", { "retry-after": "1" }));
    },

    async onResponse({ request, response }) {
      const mine = owned.get(request);
      if (!mine) return;
      owned.delete(request);
      const { id } = mine;
      // A server failure is not an answer, nor is a rate-limit refusal (429): let the
      // retry run the request again.
      if (response.status >= 500 || response.status === 429) {
        await db.idempotencyRecord.deleteMany({ where: { id } });
        return;
      }
      await db.idempotencyRecord.update({ where: { id }, data: { status: response.status, body: sealAnswer(mine.keys, await response.clone().text()) } });
    },
  };
}

/** Forgets records older than the retention (SIMGATE_IDEMPOTENCY_TTL_HOURS). */
export async function purgeIdempotencyRecords(db: Db, before: Date): Promise<number> {
  return (await db.idempotencyRecord.deleteMany({ where: { createdAt: { lt: before } } })).count;
}
