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
  if (!signatureMatches(secret, parts.slice(0, 4).join("."), signature)) return undefined;
  const expiresAt = Number(expiresText) * 1000;
  if (!Number.isFinite(expiresAt) || expiresAt <= now) return undefined;
  return { service, version, expiresAt };
}
