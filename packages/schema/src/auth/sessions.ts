// O3: bearer tokens. A token is random, kept only as its digest, expires, and can be revoked.
import type { Viewer } from "../context.ts";
import { sqlReaderOf, type Db, type Tx } from "../db/database.ts";
import { digestToken, newToken } from "../domain/credentials.ts";

export const TOKEN_PREFIX = "sgt";

export interface IssuedToken {
  token: string;
  expiresAt: Date;
}

export async function issueToken(
  tx: Tx,
  holder: { operatorId: string; actor: string; authKeyId?: string | null },
  ttlSeconds: number,
  now: Date,
): Promise<IssuedToken> {
  const { token, digest } = newToken(TOKEN_PREFIX);
  const expiresAt = new Date(now.getTime() + ttlSeconds * 1000);
  await tx.session.create({
    // createdAt from the injected clock: createAuthKey judges how recent a password sign-in is.
    data: { operatorId: holder.operatorId, tokenHash: digest, actor: holder.actor, authKeyId: holder.authKeyId ?? null, expiresAt, createdAt: now },
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
  }>(
    `SELECT "id", "actor", "expiresAt", "revokedAt", "operatorId", "authKeyId", "createdAt" FROM "Session" WHERE "tokenHash" = ?`,
    [digestToken(token)],
    { expiresAt: "date", revokedAt: "date", createdAt: "date" },
  );
  if (!session || session.revokedAt || session.expiresAt <= now) return null;
  return {
    id: session.operatorId,
    actor: session.actor,
    sessionId: session.id,
    // Only auth-key sign-ins name a key; sign-up and password sign-in leave it empty.
    signedInWith: session.authKeyId === null ? "password" : "authKey",
    signedInAt: session.createdAt,
  };
}
