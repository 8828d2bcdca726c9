// HMAC-SHA256 signatures of the small tokens Keystone hands out (override tokens, version pins,
// visitor keys), synchronous so the routing decision stays a plain function: @noble/hashes (pure
// JS, audited) rather than node:crypto, which would make workerd evaluate Node's compatibility
// modules in every fresh isolate of the request path.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToBase64url } from "./base64url.ts";

const encoder = new TextEncoder();

export function sign(secret: string, payload: string): string {
  return bytesToBase64url(hmac(sha256, encoder.encode(secret), encoder.encode(payload)));
}

/** Whether `signature` is the HMAC of `payload`, compared in constant time. */
export function signatureMatches(secret: string, payload: string, signature: string): boolean {
  if (!secret) return false;
  const expected = sign(secret, payload);
  if (signature.length !== expected.length) return false;
  // Every character compared, whatever differs first: the time says nothing of where.
  let difference = 0;
  for (let i = 0; i < expected.length; i++)
    difference |= expected.charCodeAt(i) ^ signature.charCodeAt(i);
  return difference === 0;
}

/**
 * Results of a pure token function (a verified pin, a signed visitor key), remembered per
 * (secret, scope, input): a visitor presents the same pin, and has the same key, on every request,
 * so only the first costs an HMAC (about 10 µs). A verification is remembered only when it
 * succeeded, so forged tokens cannot crowd out genuine ones; the memory is bounded (cleared when
 * full) and forgotten when the secret changes.
 */
export class TokenMemo<T> {
  #secret: string | undefined;
  #scopes = new Map<string, Map<string, T>>();
  #size = 0;
  readonly #max: number;

  constructor(max = 10_000) {
    this.#max = max;
  }

  get(secret: string, scope: string, input: string): T | undefined {
    return secret === this.#secret ? this.#scopes.get(scope)?.get(input) : undefined;
  }

  set(secret: string, scope: string, input: string, value: T): void {
    if (secret !== this.#secret || this.#size >= this.#max) {
      this.#secret = secret;
      this.#scopes.clear();
      this.#size = 0;
    }
    const entries = this.#scopes.get(scope) ?? new Map<string, T>();
    if (entries.size === 0) this.#scopes.set(scope, entries);
    entries.set(input, value);
    this.#size++;
  }
}
