// V6: signing secrets at rest. AES-256-GCM under the server's encryption key (SIMGATE_ENCRYPTION_KEY,
// or a key generated once into the data folder); the database holds only `v1.<iv>.<tag>.<ciphertext>`.
// The endpoint's ID is the additional data, so a sealed secret copied to another row does not open.
import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { Webhook } from "standardwebhooks";

const IV_BYTES = 12;

export function sealSecret(key: Buffer, endpointId: string, secret: string): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(endpointId));
  const body = Buffer.concat([cipher.update(secret, "utf8"), cipher.final()]);
  return ["v1", iv.toString("base64"), cipher.getAuthTag().toString("base64"), body.toString("base64")].join(".");
}

export function openSecret(key: Buffer, endpointId: string, sealed: string): string {
  const [version, iv, tag, body] = sealed.split(".");
  if (version !== "v1" || !iv || !tag || body === undefined) throw new Error("V6: not a sealed webhook secret");
  const decipher = createDecipheriv("aes-256-gcm", key, Buffer.from(iv, "base64"));
  decipher.setAAD(Buffer.from(endpointId));
  decipher.setAuthTag(Buffer.from(tag, "base64"));
  return Buffer.concat([decipher.update(Buffer.from(body, "base64")), decipher.final()]).toString("utf8");
}

/** A Standard Webhooks secret: `whsec_` + base64 of 32 random bytes. */
export function newSigningSecret(): string {
  return `whsec_${randomBytes(32).toString("base64")}`;
}

/**
 * The `webhook-signature` header: `v1,<base64>` per secret, space-separated (V6: the previous
 * secret signs too until it expires). Signed by the standardwebhooks library itself.
 */
export function signatureHeader(secrets: readonly string[], messageId: string, at: Date, body: string): string {
  return secrets.map((secret) => new Webhook(secret).sign(messageId, at, body)).join(" ");
}
