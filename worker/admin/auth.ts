// Bearer-token auth: ADMIN_TOKEN may change things, READ_TOKEN may only read. Compared in
// constant time over SHA-256 digests, so neither content nor length leaks through timing.
import { createHash, timingSafeEqual } from "node:crypto";
import type { MiddlewareHandler } from "hono";
import type { Env } from "../env.ts";
import { ApiError } from "./errors.ts";

export type Scope = "read" | "admin";

let failures = 0;

/** Admin requests this isolate refused for a missing or wrong token (isolate counters). */
export function failedAdminAuth(): number {
  return failures;
}

/** Counts and logs a refused token check: who and what, never the token. */
function refuse(
  c: { req: { method: string; url: string; header(name: string): string | undefined } },
  why: string,
): ApiError {
  failures++;
  const from = c.req.header("cf-connecting-ip") ?? "unknown";
  console.warn(
    `keystone: admin auth refused (${why}): ${c.req.method} ${new URL(c.req.url).pathname} from ${from}`,
  );
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
    const header = c.req.header("authorization") ?? "";
    const token = /^Bearer\s+(.+)$/i.exec(header)?.[1]?.trim();
    if (!token) throw refuse(c, "no token");
    const granted = scopeOf(c.env, token);
    if (!granted) throw refuse(c, "wrong token");
    if (needed === "admin" && granted !== "admin") {
      throw new ApiError("forbidden", "this token may only read; changes need the admin token");
    }
    await next();
  };
}
