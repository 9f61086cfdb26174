// O3: passwords and auth-key secrets are kept only as Argon2id hashes; bearer tokens and
// one-time tokens are high-entropy random strings kept only as SHA-256 digests (a slow hash
// adds nothing to 256 random bits and would slow every request).
import { createHash, randomBytes } from "node:crypto";
import { hash, verify } from "@node-rs/argon2";

const ARGON2ID = 2; // @node-rs/argon2 exports Algorithm as a const enum, unusable under isolatedModules
import { userError, type UserError } from "./user-error.ts";

export interface KdfCost {
  memoryKiB: number;
  iterations: number;
}

/** OWASP's Argon2id recommendation (19 MiB, 2 passes, 1 lane). */
export const defaultKdfCost: KdfCost = { memoryKiB: 19_456, iterations: 2 };

/** What createAuthKey hands out as an auth key's ID: `keyId-` and 24 hex digits. */
export const AUTH_KEY_ID = /^keyId-[0-9a-f]{24}$/;

export const PASSWORD_MIN_LENGTH = 8;
export const PASSWORD_MAX_LENGTH = 128;

export function checkPassword(password: string, field: string[]): UserError[] {
  if (password.length < PASSWORD_MIN_LENGTH || password.length > PASSWORD_MAX_LENGTH) {
    return [userError("INVALID_INPUT", `The password must be ${PASSWORD_MIN_LENGTH} to ${PASSWORD_MAX_LENGTH} characters long.`, field)];
  }
  return [];
}

export function hashSecret(secret: string, cost: KdfCost = defaultKdfCost): Promise<string> {
  return hash(secret, { algorithm: ARGON2ID, memoryCost: cost.memoryKiB, timeCost: cost.iterations, parallelism: 1 });
}

// Verifying against this when there is no account keeps failed look-ups as slow as wrong
// passwords, so timing does not tell whether an address is registered.
let decoy: Promise<string> | undefined;

export async function verifySecret(storedHash: string | null, secret: string, cost: KdfCost = defaultKdfCost): Promise<boolean> {
  if (storedHash === null) {
    decoy ??= hashSecret("decoy-secret-never-matches", cost);
    await verify(await decoy, secret).catch(() => false);
    return false;
  }
  return verify(storedHash, secret).catch(() => false);
}

/** A random token with its prefix (which says what it is for), and the digest to store. */
export function newToken(prefix: string): { token: string; digest: string } {
  const token = `${prefix}_${randomBytes(32).toString("base64url")}`;
  return { token, digest: digestToken(token) };
}

export function digestToken(token: string): string {
  return createHash("sha256").update(token).digest("hex");
}

/**
 * O3: minting a new permanent credential (an auth key) needs proof that the root user is at the
 * keyboard now, not only a bearer token that may have been copied or may come from an auth key:
 * either the password re-entered, or a token from a password sign-in at most `maxAgeSeconds` old.
 */
export function isRecentPasswordSignIn(
  session: { signedInWith: "password" | "authKey"; signedInAt: Date },
  now: Date,
  maxAgeSeconds: number,
): boolean {
  const age = now.getTime() - session.signedInAt.getTime();
  return session.signedInWith === "password" && age >= 0 && age <= maxAgeSeconds * 1000;
}
