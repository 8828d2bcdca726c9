// Bearer-token auth: ADMIN_TOKEN may change things, READ_TOKEN may only read. Compared in
// constant time over SHA-256 digests, so neither content nor length leaks through timing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import { addressKey } from "../core/metrics/visitor-limit.ts";
import type { Env } from "../env.ts";
import { ApiError } from "./errors.ts";

export type Scope = "read" | "admin";

/**
 * Refused tokens (bearer or status-page sign-in) a client address may have per minute in an
 * isolate; past it, its attempts are answered 429 without the token being checked, until the
 * minute ends. Per isolate: a guesser spread over many isolates gets this many in each.
 */
export const MAX_REFUSALS_PER_MINUTE = 10;

/**
 * Addresses whose refusals one isolate tracks in a minute. Each costs about 170 bytes: untracked,
 * 600,000 addresses in a minute (IPv6 hands any client that many) held 101 MB of an isolate's
 * 128. Past it, an address not yet tracked is counted in the total and logged but not limited
 * until the minute ends: the bound slows guessing, a lockout of every new address would be worse.
 */
export const MAX_TRACKED_CLIENTS = 10_000;

/** The longest address kept as a key (an IPv6 address is at most 45 characters). */
const MAX_KEY_CHARS = 64;

/**
 * What an address's refusals are counted under: an IPv6 address by its /64 (what one subscriber
 * is given: counted by address, one client had 2^64 of them), as the visitor bound keys it; any
 * other value cut short.
 */
export function clientKeyOf(address: string): string {
  return addressKey(address).slice(0, MAX_KEY_CHARS);
}

/** Refused token checks per client address (an IPv6 one by its /64) in the current minute. */
export class Refusals {
  total = 0;
  #minute = -1;
  readonly #byClient = new Map<string, number>();
  readonly #maxClients: number;

  constructor(maxClients = MAX_TRACKED_CLIENTS) {
    this.#maxClients = maxClients;
  }

  /** Addresses tracked this minute. */
  get tracked(): number {
    return this.#byClient.size;
  }

  /** Whether the address has used up its refusals this minute. */
  exhausted(client: string, now: number): boolean {
    this.#roll(now);
    return (this.#byClient.get(clientKeyOf(client)) ?? 0) >= MAX_REFUSALS_PER_MINUTE;
  }

  note(client: string, now: number): void {
    this.#roll(now);
    this.total++;
    const key = clientKeyOf(client);
    const count = this.#byClient.get(key);
    if (count === undefined && this.#byClient.size >= this.#maxClients) return;
    this.#byClient.set(key, (count ?? 0) + 1);
  }

  #roll(now: number): void {
    const minute = Math.floor(now / 60_000);
    if (minute === this.#minute) return;
    this.#minute = minute;
    this.#byClient.clear();
  }
}

const refusals = new Refusals();

/** Admin requests and sign-ins this isolate refused for a missing or wrong token (isolate counters). */
export function failedAdminAuth(): number {
  return refusals.total;
}

type Caller = { req: { method: string; url: string; header(name: string): string | undefined } };

const clientOf = (c: Caller) => c.req.header("cf-connecting-ip") ?? "unknown";

/** Whether the caller's address has used up its refused tokens this minute (checked first). */
export function refusalsExhausted(c: Caller, now = Date.now()): boolean {
  return refusals.exhausted(clientOf(c), now);
}

export const TOO_MANY_REFUSALS = `more than ${MAX_REFUSALS_PER_MINUTE} refused tokens from this address in a minute: wait for the next minute`;

/** Counts and logs a refused token check: who and what, never the token. */
export function noteRefusal(c: Caller, why: string, now = Date.now()): void {
  const from = clientOf(c);
  refusals.note(from, now);
  console.warn(
    `keystone: admin auth refused (${why}): ${c.req.method} ${new URL(c.req.url).pathname} from ${from}`,
  );
}

function refuse(c: Caller, why: string): ApiError {
  noteRefusal(c, why);
  return new ApiError(
    "unauthorized",
    why === "no token"
      ? "missing bearer token: send Authorization: Bearer <token>"
      : "the bearer token is not valid",
  );
}

function sameSecret(given: string, expected: string | undefined): boolean {
  if (!expected) return false;
  const a = createHash("sha256").update(given).digest();
  const b = createHash("sha256").update(expected).digest();
  return timingSafeEqual(a, b);
}

/** The token an `Authorization: Bearer <token>` header presents, if any. */
export function bearerToken(c: Caller): string | undefined {
  return /^Bearer\s+(.+)$/i.exec(c.req.header("authorization") ?? "")?.[1]?.trim() || undefined;
}

/** The scope the request's bearer token grants (after requireScope: the one it checked). */
export function callerScope(c: Caller & { env: Env }): Scope | undefined {
  const token = bearerToken(c);
  return token === undefined ? undefined : scopeOf(c.env, token);
}

/** The scope a presented token grants, or undefined for none. */
export function scopeOf(env: Env, token: string): Scope | undefined {
  if (sameSecret(token, env.ADMIN_TOKEN)) return "admin";
  if (sameSecret(token, env.READ_TOKEN)) return "read";
  return undefined;
}

export function requireScope(needed: Scope): MiddlewareHandler<{ Bindings: Env }> {
  return async (c, next) => {
    if (!c.env.ADMIN_TOKEN && !c.env.READ_TOKEN) {
      throw new ApiError(
        "unavailable",
        "the admin API is off: set the ADMIN_TOKEN (and READ_TOKEN) secrets",
      );
    }
    if (refusalsExhausted(c)) throw new ApiError("too_many_attempts", TOO_MANY_REFUSALS);
    const token = bearerToken(c);
    if (!token) throw refuse(c, "no token");
    const granted = scopeOf(c.env, token);
    if (!granted) throw refuse(c, "wrong token");
    if (needed === "admin" && granted !== "admin") {
      throw new ApiError("forbidden", "this token may only read; changes need the admin token");
    }
    await next();
  };
}
