// The status page's session: after sign-in with the read or admin token, an HMAC-signed,
// expiring, HttpOnly, SameSite=Strict cookie (Secure over https) naming a random session id. The
// token itself is never stored in the cookie nor put in a URL. Sign-out revokes the id on the
// server (a KV key that expires with the session), so a copied cookie dies with it.
import { createHash, randomBytes } from "node:crypto";
import type { Context } from "hono";
import { deleteCookie, getSignedCookie, setSignedCookie } from "hono/cookie";
import { type Scope, scopeOf } from "../admin/auth.ts";
import type { Env } from "../env.ts";

const SESSION_COOKIE = "ks_ui_session";
/** A signed-in browser stays signed in this long, then signs in again. */
const SESSION_SECONDS = 8 * 3600;
const COOKIE_PATH = "/_keystone/ui";
/** KV keys of signed-out sessions, beside the route table; each expires with its session. */
const REVOKED_PREFIX = "ui-session-revoked:";
/** KV's shortest expiry. */
const MIN_KV_TTL_SECONDS = 60;

export interface Session {
  scope: Scope;
  expiresAt: number;
  id: string;
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
  const id = randomBytes(16).toString("hex");
  await setSignedCookie(c, SESSION_COOKIE, `${scope}.${expiresAt}.${id}`, signingKey(c.env), {
    ...cookieOptions(c),
    maxAge: SESSION_SECONDS,
  });
  return scope;
}

/** The session the cookie names, if its signature holds, whether or not it was revoked. */
async function presented(c: Context<{ Bindings: Env }>): Promise<Session | undefined> {
  const value = await getSignedCookie(c, signingKey(c.env), SESSION_COOKIE);
  const match = value ? /^(read|admin)\.(\d+)\.([0-9a-f]{32})$/.exec(value) : null;
  if (!match) return undefined;
  return { scope: match[1] as Scope, expiresAt: Number(match[2]), id: match[3]! };
}

/** The session the request carries, if its signature holds, it has not expired nor signed out. */
export async function sessionOf(
  c: Context<{ Bindings: Env }>,
  now: number,
): Promise<Session | undefined> {
  const session = await presented(c);
  if (!session || session.expiresAt <= now) return undefined;
  const revoked = await c.env.ROUTES.get(`${REVOKED_PREFIX}${session.id}`);
  return revoked === null ? session : undefined;
}

/** Ends the session: the browser's cookie is deleted and its id refused from now on. */
export async function signOut(c: Context<{ Bindings: Env }>, now: number): Promise<void> {
  const session = await presented(c);
  if (session && session.expiresAt > now) {
    const left = Math.ceil((session.expiresAt - now) / 1000);
    await c.env.ROUTES.put(`${REVOKED_PREFIX}${session.id}`, "1", {
      expirationTtl: Math.max(MIN_KV_TTL_SECONDS, left),
    });
  }
  deleteCookie(c, SESSION_COOKIE, cookieOptions(c));
}
