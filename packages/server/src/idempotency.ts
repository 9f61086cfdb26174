// P4 on the server: a request carrying `Idempotency-Key` runs once per caller and key; retries
// of it (the SDK retries mutations only with a key) get the first response back. Records live in
// the database, so the instance that answers a retry need not be the one that ran the request.
import { createHash } from "node:crypto";
import type { Plugin } from "graphql-yoga";
import type { Db } from "@simgate/schema/db/database";
import { Prisma } from "@simgate/schema/db/generated/sqlite/client";
import type { Clock } from "@simgate/schema/domain/clock";

export const IDEMPOTENCY_HEADER = "idempotency-key";
export const REPLAYED_HEADER = "idempotent-replayed";
const KEY_PATTERN = /^[\x21-\x7e]{1,200}$/;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

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
  const owned = new WeakMap<Request, string>();

  return {
    async onRequest({ request, endResponse }) {
      const key = request.headers.get(IDEMPOTENCY_HEADER);
      if (key === null || request.method !== "POST") return;
      if (!KEY_PATTERN.test(key)) {
        endResponse(graphqlError(400, "BAD_REQUEST", "Idempotency-Key must be 1 to 200 visible ASCII characters."));
        return;
      }
      const scopeKey = sha256(`${request.headers.get("authorization") ?? ""}\n${key}`);
      const requestHash = sha256(await request.clone().text());
      const now = clock.now();
      try {
        const record = await db.idempotencyRecord.create({ data: { scopeKey, requestHash, createdAt: now } });
        owned.set(request, record.id);
        return;
      } catch (error) {
        if (!(error instanceof Prisma.PrismaClientKnownRequestError && error.code === "P2002")) throw error;
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
        endResponse(new Response(existing.body, { status: existing.status, headers: { "content-type": "application/json", [REPLAYED_HEADER]: "true" } }));
        return;
      }
      // Still running: unless its server died, the caller waits and retries.
      const takeover = await db.idempotencyRecord.updateMany({
        where: { id: existing.id, status: null, createdAt: { lt: new Date(now.getTime() - abandonedAfterMs) } },
        data: { createdAt: now },
      });
      if (takeover.count === 1) {
        owned.set(request, existing.id);
        return;
      }
      endResponse(graphqlError(409, "IDEMPOTENCY_IN_PROGRESS", "A request with this Idempotency-Key is still running; retry.", { "retry-after": "1" }));
    },

    async onResponse({ request, response }) {
      const id = owned.get(request);
      if (!id) return;
      owned.delete(request);
      // A server failure is not an answer, nor is a rate-limit refusal (429, item 2): let the
      // retry run the request again.
      if (response.status >= 500 || response.status === 429) {
        await db.idempotencyRecord.deleteMany({ where: { id } });
        return;
      }
      await db.idempotencyRecord.update({ where: { id }, data: { status: response.status, body: await response.clone().text() } });
    },
  };
}

/** Forgets records older than the retention (SIMGATE_IDEMPOTENCY_TTL_HOURS). */
export async function purgeIdempotencyRecords(db: Db, before: Date): Promise<number> {
  return (await db.idempotencyRecord.deleteMany({ where: { createdAt: { lt: before } } })).count;
}
