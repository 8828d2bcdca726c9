// HMAC-SHA256 signatures of the small tokens Keystone hands out (override tokens, version pins,
// visitor keys): node:crypto keeps them synchronous, so the routing decision stays a plain function.
import { createHmac, timingSafeEqual } from "node:crypto";

export function sign(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

/** Whether `signature` is the HMAC of `payload`, compared in constant time. */
export function signatureMatches(secret: string, payload: string, signature: string): boolean {
  if (!secret) return false;
  const expected = Buffer.from(sign(secret, payload));
  const given = Buffer.from(signature);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
