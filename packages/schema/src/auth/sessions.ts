// O3: bearer tokens. A token is random, kept only as its digest, expires, and can be revoked.
import type { PermissionStatement, Viewer } from "../context.ts";
import { sqlReaderOf, type Db, type Tx } from "../db/database.ts";
import { digestToken, newToken } from "../domain/credentials.ts";

export const TOKEN_PREFIX = "sgt";

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export async function issueToken(
  tx: Tx,
  holder: { operatorId: string; actor: string; authKeyId?: string | null; userId?: string | null },
  ttlSeconds: number,
  now: Date,
  /** U9: the token ends no later than this (its auth key's expiry). */
  notAfter: Date | null = null,
): Promise<IssuedToken> {
  const { token, digest } = newToken(TOKEN_PREFIX);
  const byTtl = new Date(now.getTime() + ttlSeconds * 1000);
  const expiresAt = notAfter !== null && notAfter < byTtl ? notAfter : byTtl;
  await tx.session.create({
    // createdAt from the injected clock: createAuthKey judges how recent a password sign-in is.
    data: { operatorId: holder.operatorId, tokenHash: digest, actor: holder.actor, authKeyId: holder.authKeyId ?? null, userId: holder.userId ?? null, expiresAt, createdAt: now },
  });
  return { token, expiresAt };
}

/** The viewer a bearer token stands for, or null when it is unknown, expired or revoked. */
export async function viewerForToken(db: Db, token: string, now: Date): Promise<Viewer | null> {
  if (!token.startsWith(`${TOKEN_PREFIX}_`) || token.length > 200) return null;
  // Every request asks this: hand-written SQL on the driver (db/sql-reader.ts), one statement.
  const [session] = await sqlReaderOf(db).all<{
    id: string;
    actor: string;
    expiresAt: Date;
    revokedAt: Date | null;
    operatorId: string;
    authKeyId: string | null;
    createdAt: Date;
    userId: string | null;
    userName: string | null;
    permissions: string | null;
    keyExpiresAt: Date | null;
    keyCidrs: string | null;
  }>(
    // The user's statements are read with the token on every request: a permission change applies
    // to the next request (U8), and a deleted user's tokens are gone with it. The key's expiry and
    // CIDR blocks come in the same statement (U9): the server checks the client address against them.
    `SELECT s."id", s."actor", s."expiresAt", s."revokedAt", s."operatorId", s."authKeyId", s."createdAt", s."userId", u."name" AS "userName", u."permissions",
            k."expiresAt" AS "keyExpiresAt", k."allowedCidrs" AS "keyCidrs"
     FROM "Session" s LEFT JOIN "User" u ON u."id" = s."userId" LEFT JOIN "AuthKey" k ON k."authKeyId" = s."authKeyId"
     WHERE s."tokenHash" = ?`,
    [digestToken(token)],
    { expiresAt: "date", revokedAt: "date", createdAt: "date", keyExpiresAt: "date" },
  );
  if (!session || session.revokedAt || session.expiresAt <= now) return null;
  if (session.userId !== null && session.userName === null) return null;
  // The token ends no later than its key (U9); issueToken already caps it, this holds for any row.
  if (session.keyExpiresAt !== null && session.keyExpiresAt <= now) return null;
  return {
    principal:
      session.userId === null
        ? { kind: "ROOT" }
        : { kind: "USER", userId: session.userId, name: session.userName!, statements: JSON.parse(session.permissions ?? "[]") as PermissionStatement[] },
    authKeyId: session.authKeyId,
    allowedCidrs: session.keyCidrs ? (JSON.parse(session.keyCidrs) as string[]) : [],
    id: session.operatorId,
    actor: session.actor,
    sessionId: session.id,
    // Only auth-key sign-ins name a key; sign-up and password sign-in leave it empty.
    signedInWith: session.authKeyId === null ? "password" : "authKey",
    signedInAt: session.createdAt,
  };
}
