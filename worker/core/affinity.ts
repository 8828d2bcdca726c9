// Version-affinity pins: `p1.<version>.<scope>.<expires unix s>.<HMAC-SHA256, base64url>`, signed
// over the service's name too, so a pin for one service means nothing to another. A pin holds
// while it is unexpired, names a version the service still has, and its scope is accepted by the
// published pin scope (schemas/live-routing.ts): a new rollout voids every pin, a bad end its
// candidate's.
import type { LiveRouting } from "../../schemas/live-routing.ts";
import { sign, signatureMatches, TokenMemo } from "./hmac.ts";

const PREFIX = "p1";

/** Non-browser clients get the pin in this response header and send it back in the same one. */
export const PIN_HEADER = "x-keystone-affinity";

/** Scope of a service that has never had a rollout. */
export const NO_ROLLOUT_SCOPE = "-";

/** Browsers carry the pin in this cookie, one per service. */
export function pinCookieName(service: string): string {
  return `ks_pin_${service}`;
}

export interface Pin {
  version: string;
  scope: string;
  /** Expiry in milliseconds since the epoch. */
  expiresAt: number;
}

/** The scope pins are given under now, and which pins given earlier still hold. */
export interface PinScope {
  current: string;
  holds(pin: Pin): boolean;
  /** The version no pin is given for now: a ramped rollback's candidate while its share returns. */
  unpinned?: string | undefined;
}

export function pinScopeOf(live: LiveRouting | undefined): PinScope {
  const scope = live?.scope ?? NO_ROLLOUT_SCOPE;
  const voided = live?.voided;
  if (!voided) return { current: scope, holds: (pin) => pin.scope === scope };
  // After a bad end: pins given before it hold unless they name its candidate; pins given after
  // it carry "<scope>!", so a weight an operator gives the candidate later is pinned as usual.
  const current = `${scope}!`;
  return {
    current,
    holds: (pin) => pin.scope === current || (pin.scope === scope && pin.version !== voided),
    unpinned: live?.ramping ? voided : undefined,
  };
}

export function signPin(secret: string, service: string, pin: Pin): string {
  const body = `${pin.version}.${pin.scope}.${Math.floor(pin.expiresAt / 1000)}`;
  return `${PREFIX}.${body}.${sign(secret, `${PREFIX}.${service}.${body}`)}`;
}

/**
 * What a pin holds beside its version's name, with room: prefix, scope (a rollout id, 36, and
 * "!"), expiry (seconds, 10–11 digits), signature (43) and dots, about 100.
 */
const PIN_OVERHEAD = 160;

/**
 * No token is read past this, whatever a service's track names: the schema bounds them (63
 * characters), and this holds a forged token to one HMAC of bounded size even if a table came in
 * some other way. No pin is lost to it that a browser would keep: none keeps a cookie longer than
 * 4096 bytes (name and value).
 */
const MAX_PIN_LENGTH = 4096;

/**
 * Longer than any pin Keystone signs for a service whose longest track name has this length, up
 * to MAX_PIN_LENGTH: a token past it is refused before any hashing.
 */
export function maxPinLength(longestTrackName: number): number {
  return Math.min(PIN_OVERHEAD + longestTrackName, MAX_PIN_LENGTH);
}

const verified = new TokenMemo<Pin>();

/**
 * The pin of a genuine, unexpired token for this service; undefined for anything else. `maxLength`:
 * the service's own bound (maxPinLength of its longest track name).
 */
export function readPin(
  secret: string,
  service: string,
  token: string,
  now: number,
  maxLength: number,
): Pin | undefined {
  const known = verified.get(secret, service, token);
  if (known) return known.expiresAt > now ? known : undefined;
  if (token.length > maxLength) return undefined;
  const parts = token.split(".");
  if (parts.length !== 5 || parts[0] !== PREFIX) return undefined;
  const [, version, scope, expires, signature] = parts as [string, string, string, string, string];
  const payload = `${PREFIX}.${service}.${version}.${scope}.${expires}`;
  if (!signatureMatches(secret, payload, signature)) return undefined;
  const expiresAt = Number(expires) * 1000;
  if (!Number.isFinite(expiresAt)) return undefined;
  const pin = { version, scope, expiresAt };
  verified.set(secret, service, token, pin);
  return expiresAt > now ? pin : undefined;
}
