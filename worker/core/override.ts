// Signed override tokens: `v1.<service>.<version>.<expires unix s>.<HMAC-SHA256, base64url>`.
import { sign, signatureMatches } from "./hmac.ts";

const PREFIX = "v1";

export interface OverrideClaim {
  service: string;
  version: string;
  /** Expiry in milliseconds since the epoch. */
  expiresAt: number;
}

export function signOverride(secret: string, claim: OverrideClaim): string {
  const payload = `${PREFIX}.${claim.service}.${claim.version}.${Math.floor(claim.expiresAt / 1000)}`;
  return `${payload}.${sign(secret, payload)}`;
}

/**
 * Longer than any token Keystone signs (a 63-character service name, the version, 10 digits and
 * the signature take about 120 plus the version's length): refused before any hashing, so a
 * client cannot make every request HMAC the whole of a 100 KB header.
 */
export const MAX_OVERRIDE_LENGTH = 1024;

/** The claim of a genuine, unexpired token; undefined for anything forged, expired or malformed. */
export function verifyOverride(
  secret: string,
  token: string,
  now: number,
): OverrideClaim | undefined {
  if (token.length > MAX_OVERRIDE_LENGTH) return undefined;
  const parts = token.trim().split(".");
  if (parts.length !== 5 || parts[0] !== PREFIX || !secret) return undefined;
  const [, service, version, expiresText, signature] = parts as [
    string,
    string,
    string,
    string,
    string,
  ];
  if (!signatureMatches(secret, parts.slice(0, 4).join("."), signature)) return undefined;
  const expiresAt = Number(expiresText) * 1000;
  if (!Number.isFinite(expiresAt) || expiresAt <= now) return undefined;
  return { service, version, expiresAt };
}
