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
  /** O6, U10: the root user's address at sign-in, `user:<name>`, or `authKey:<id>` (older tokens: the bare key ID). */
  actor: string;
  principal: Principal;
  /** The auth key the token came from, if any (its public ID). */
  authKeyId: string | null;
  /** U9: the client addresses the token may be used from (its auth key's CIDR blocks); empty: any. */
  allowedCidrs: string[];
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
  /** The client's address as the server's rate limits see it; absent outside the server. U9 key sign-ins check it. */
  readonly clientIp?: string;
  settings: Settings;
  clock: Clock;
  /**
   * The server's brute-force guard counts every sign-in attempt per account (signInAccountKey in
   * domain/user-name.ts) before the
   * password is checked; `authenticate` tells it when the password was right, so only failures
   * stay counted. Absent when nothing guards sign-in.
   */
  signInGuard?: { passwordAccepted(account: string): Promise<void> };
  /** V4: wake-ups, lease and shutdown signal for `Subscription.events`; absent: no subscriptions (in-process tests). */
  live?: LiveEventsSupport;
  /**
   * Reads the caller's session again: the viewer as it is now (U8: permissions too), or null once
   * its token has expired or been revoked. A long-lived subscription asks this on every wake-up.
   */
  refreshViewer?: () => Promise<Viewer | null>;
}

// V4: the push side's needs from the server (events/live.ts uses them).
/** Says when an operator's log may have grown; a hint only (events/live.ts reads the log by sequence). */
export interface EventWakeups {
  /** Calls `wake` whenever `operatorId`'s log may have grown; answers a function that stops it. */
  watch(operatorId: string, wake: () => void): () => void;
}

/** What a live stream needs from the server that runs it. */
export interface LiveEventsSupport {
  wakeups: EventWakeups;
  /** Re-read the log and re-check the reader at least this often, wake-ups or not (missed notifications, expired tokens). */
  recheckMs: number;
  /** Aborted when the server shuts down: every stream ends. */
  signal: AbortSignal;
  /** Takes one of the operator's open-subscription places (subscription-leases.ts); answers its release. */
  openLease(operatorId: string): Promise<() => Promise<void>>;
}
