// Signed override tokens: `v1.<service>.<version>.<expires unix s>.<HMAC-SHA256, base64url>`.
// node:crypto keeps verification synchronous so the routing decision stays a plain function.
import { createHmac, timingSafeEqual } from "node:crypto";

const PREFIX = "v1";

export interface OverrideClaim {
  service: string;
  version: string;
  /** Expiry in milliseconds since the epoch. */
  expiresAt: number;
}

function sign(secret: string, payload: string): string {
  return createHmac("sha256", secret).update(payload).digest("base64url");
}

export function signOverride(secret: string, claim: OverrideClaim): string {
  const payload = `${PREFIX}.${claim.service}.${claim.version}.${Math.floor(claim.expiresAt / 1000)}`;
  return `${payload}.${sign(secret, payload)}`;
}

/** The claim of a genuine, unexpired token; undefined for anything forged, expired or malformed. */
export function verifyOverride(
  secret: string,
  token: string,
  now: number,
): OverrideClaim | undefined {
  const parts = token.trim().split(".");
  if (parts.length !== 5 || parts[0] !== PREFIX || !secret) return undefined;
  const [, service, version, expiresText, signature] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  const expected = Buffer.from(sign(secret, parts.slice(0, 4).join(".")));
  const given = Buffer.from(signature);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return undefined;
  const expiresAt = Number(expiresText) * 1000;
  if (!Number.isFinite(expiresAt) || expiresAt <= now) return undefined;
  return { service, version, expiresAt };
}
