// The status page's session: after sign-in with the read or admin token, an HMAC-signed,
// expiring, HttpOnly, SameSite=Strict cookie (Secure over https). The token itself is never
// stored in the cookie nor put in a URL.
import { createHash } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { type Scope, scopeOf } from "../admin/auth.ts";
import type { Env } from "../env.ts";

export const SESSION_COOKIE = "ks_ui_session";
/** A signed-in browser stays signed in this long, then signs in again. */
export const SESSION_SECONDS = 8 * 3600;
const COOKIE_PATH = "/_keystone/ui";

export interface Session {
  scope: Scope;
  expiresAt: number;
}

/**
 * The signing key comes from both tokens: rotating either signs every browser out, and knowing
 * the read token alone is not enough to forge a session.
 */
function signingKey(env: Env): Uint8Array {
  return createHash("sha256")
    .update(`keystone-ui-session\n${env.ADMIN_TOKEN ?? ""}\n${env.READ_TOKEN ?? ""}`)
    .digest();
}

function cookieOptions(c: Context<{ Bindings: Env }>) {
  return {
    path: COOKIE_PATH,
    httpOnly: true,
    sameSite: "Strict" as const,
    secure: new URL(c.req.url).protocol === "https:",
  };
}

/** Checks a presented token; on success sets the session cookie and returns its scope. */
export async function signIn(
  c: Context<{ Bindings: Env }>,
  token: string,
  now: number,
): Promise<Scope | undefined> {
  const scope = token ? scopeOf(c.env, token) : undefined;
  if (!scope) return undefined;
  const expiresAt = now + SESSION_SECONDS * 1000;
  await setSignedCookie(c, SESSION_COOKIE, `${scope}.${expiresAt}`, signingKey(c.env), {
    ...cookieOptions(c),
    maxAge: SESSION_SECONDS,
  });
  return scope;
}

/** The session the request carries, if its signature holds and it has not expired. */
export async function sessionOf(
  c: Context<{ Bindings: Env }>,
  now: number,
): Promise<Session | undefined> {
  const value = await getSignedCookie(c, signingKey(c.env), SESSION_COOKIE);
  const match = value ? /^(read|admin)\.(\d+)$/.exec(value) : null;
  if (!match) return undefined;
  const session = { scope: match[1] as Scope, expiresAt: Number(match[2]) };
  return session.expiresAt > now ? session : undefined;
}

export function signOut(c: Context<{ Bindings: Env }>): void {
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
}
