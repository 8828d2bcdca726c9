import { describe, expect, it } from "vitest";
import { MAX_OVERRIDE_LENGTH, signOverride, verifyOverride } from "./override.ts";

const NOW = Date.UTC(2026, 10, 21, 12);
const SECRET = "override-secret";

/** A secret that counts how often it is read: signing reads it once per HMAC. */
function countingSecret(): { secret: string; reads: () => number } {
  let reads = 0;
  const secret = {
    toString() {
      reads++;
      return SECRET;
    },
  } as unknown as string;
  return { secret, reads: () => reads };
}

describe("override tokens", () => {
  it("the longest token Keystone signs (63-character service, long version) verifies", () => {
    const claim = { service: "s".repeat(63), version: "v".repeat(800), expiresAt: NOW + 60_000 };
    const token = signOverride(SECRET, claim);
    expect(token.length).toBeLessThanOrEqual(MAX_OVERRIDE_LENGTH);
    expect(verifyOverride(SECRET, token, NOW)).toEqual({ ...claim, expiresAt: NOW + 60_000 });
  });

  it("a token longer than any Keystone signs is refused before any hashing", () => {
    const { secret, reads } = countingSecret();
    const claim = { service: "shop", version: "canary", expiresAt: NOW + 60_000 };
    // Shaped like a token (five parts), the service part a 100 KB header's worth.
    const huge = `v1.${"a".repeat(100_000)}.canary.${Math.floor(claim.expiresAt / 1000)}.x`;
    expect(verifyOverride(secret, huge, NOW)).toBeUndefined();
    expect(reads()).toBe(0);
    // A normal token is still hashed and checked with the same secret.
    const genuine = signOverride(SECRET, claim);
    expect(verifyOverride(secret, genuine, NOW)).toEqual(claim);
    expect(reads()).toBeGreaterThan(0);
  });
});
