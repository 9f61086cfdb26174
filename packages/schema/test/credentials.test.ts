import { describe, expect, it } from "vitest";
import { digestToken, hashSecret, isRecentPasswordSignIn, newToken, verifySecret } from "../src/domain/credentials.ts";
import { isOperatorId, newOperatorId } from "../src/domain/operator-id.ts";

const cheap = { memoryKiB: 1024, iterations: 1 };

describe("credentials", () => {
  it("O1: operator IDs are OP followed by 10 digits", () => {
    for (let i = 0; i < 200; i++) expect(newOperatorId()).toMatch(/^OP\d{10}$/);
    expect(isOperatorId("OP0012345678")).toBe(true);
    expect(isOperatorId("OP001234567")).toBe(false);
    expect(isOperatorId("op0012345678")).toBe(false);
  });
  it("O3: secrets are stored as Argon2id hashes that verify only the right secret", async () => {
    const stored = await hashSecret("s3cret-password", cheap);
    expect(stored).toMatch(/^\$argon2id\$/);
    expect(stored).not.toContain("s3cret-password");
    expect(await verifySecret(stored, "s3cret-password", cheap)).toBe(true);
    expect(await verifySecret(stored, "wrong-password", cheap)).toBe(false);
    expect(await verifySecret(null, "anything", cheap)).toBe(false);
  });
  it("O3: tokens are random and stored only as digests", () => {
    const a = newToken("sgt");
    const b = newToken("sgt");
    expect(a.token).not.toBe(b.token);
    expect(a.token).toMatch(/^sgt_[A-Za-z0-9_-]{43}$/);
    expect(a.digest).toBe(digestToken(a.token));
    expect(a.digest).not.toContain(a.token.slice(4));
  });
});

describe("O3: a recent password sign-in (createAuthKey without re-entering the password)", () => {
  const at = new Date("2026-12-01T10:00:00Z");
  const later = (seconds: number) => new Date(at.getTime() + seconds * 1000);

  it("a password token counts up to the limit, not after; an auth-key token never; a token from the future never", () => {
    expect(isRecentPasswordSignIn({ signedInWith: "password", signedInAt: at }, later(300), 300)).toBe(true);
    expect(isRecentPasswordSignIn({ signedInWith: "password", signedInAt: at }, later(301), 300)).toBe(false);
    expect(isRecentPasswordSignIn({ signedInWith: "authKey", signedInAt: at }, later(1), 300)).toBe(false);
    expect(isRecentPasswordSignIn({ signedInWith: "password", signedInAt: later(10) }, at, 300)).toBe(false);
  });
});
