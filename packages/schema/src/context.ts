// What every resolver receives. The server builds it per request (packages/server); tests may too.
import type { Db, Provider } from "./db/database.ts";
import type { Clock } from "./domain/clock.ts";
import type { KdfCost } from "./domain/credentials.ts";
import type { VerificationMailLimits } from "./mail/verification-budget.ts";
import type { WriteLimits } from "./db/write-limits.ts";

/** U3: one permission statement as stored (validated by domain/permissions.ts before it is). */
export interface PermissionStatement {
  effect: "ALLOW" | "DENY";
  actions: string[];
  resources: string[];
}

/** Who acts inside the operator (U1): the root user, or one of its users with its statements, read afresh for every request (U8). */
export type Principal = { kind: "ROOT" } | { kind: "USER"; userId: string; name: string; statements: PermissionStatement[] };

/** The signed-in operator of a request (O3). */
export interface Viewer {
  /** Operator row ID. */
  id: string;
  /** O6, U10: the root user's address at sign-in, `user:<name>`, or the auth key ID. */
  actor: string;
  principal: Principal;
  /** The auth key the token came from, if any (its public ID). */
  authKeyId: string | null;
  sessionId: string;
  /** How the session's token was obtained: a password (sign-up or sign-in) or an auth key. */
  signedInWith: "password" | "authKey";
  /** When the token was issued (the injected clock's time). */
  signedInAt: Date;
}

/** Limits and lifetimes the schema applies; the server reads them from the environment. */
export interface Settings {
  tokenTtlSeconds: number;
  tokenMaxTtlSeconds: number;
  verificationTtlHours: number;
  kdf: KdfCost;
  /** S9: days a terminated SIM stays listed. */
  terminatedRetentionDays: number;
  /** T10: hours a pending transfer waits for the destination. */
  transferTtlHours: number;
  /** createAuthKey without the password needs a password sign-in at most this many seconds old. */
  recentSignInSeconds: number;
  /** Verification mail per recipient and per operator and hour (mail/verification-budget.ts). */
  verificationMail: VerificationMailLimits;
  /** Transaction lifetimes and the per-operator write gate (defaultWriteLimits when absent). */
  writes?: WriteLimits;
  /** V5–V7: webhook endpoints (absent: webhook mutations are refused as unavailable). */
  webhooks?: WebhookSettings;
}

export interface WebhookSettings {
  /** V6: AES-256 key sealing signing secrets at rest. */
  encryptionKey: Buffer;
  /** V7: SIMGATE_WEBHOOK_ALLOW_PRIVATE (http and private targets, for development and tests). */
  allowPrivate: boolean;
}

export interface Context {
  requestId: string;
  /** O4: scoped to the viewer's operator; without a viewer it matches nothing. Fixed for the request. */
  readonly db: Db;
  /** Unscoped: only for public flows (sign-up, sign-in, verification, recovery) and O5 admin fields. */
  unscopedDb: Db;
  provider: Provider;
  readonly viewer: Viewer | null;
  /** O5: the request carried the configured admin secret. */
  readonly isAdmin: boolean;
  settings: Settings;
  clock: Clock;
  /**
   * The server's brute-force guard counts every sign-in attempt per email before the
   * password is checked; `authenticate` tells it when the password was right, so only failures
   * stay counted. Absent when nothing guards sign-in.
   */
  signInGuard?: { passwordAccepted(email: string): Promise<void> };
}
