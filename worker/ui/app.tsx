/** @jsxImportSource hono/jsx */
// /_keystone/ui: the read-only status page as its own hono app. Sign in with a token through a
// form, then a signed session cookie; strict CSP; changes stay in the CLI and the admin API.
import type { Context, MiddlewareHandler } from "hono";
import { csrf } from "hono/csrf";
import { HTTPException } from "hono/http-exception";
import { Hono } from "hono/tiny";
import { noteRefusal, refusalsExhausted, TOO_MANY_REFUSALS } from "../admin/auth.ts";
import { limitBody } from "../admin/body-limit.ts";
import type { Env } from "../env.ts";
import { readIncident, readStatusPage } from "./data.ts";
import { IncidentPage } from "./pages/incident.tsx";
import { refreshSecondsAfter } from "./pages/layout.tsx";
import { SignInPage } from "./pages/sign-in.tsx";
import { StatusPage } from "./pages/status.tsx";
import { returnPathOf } from "./return-to.ts";
import { sessionOf, signIn, signOut } from "./session.ts";
import { STYLESHEET_HASH } from "./styles.ts";

/** Only the inlined stylesheet may apply; no script, no fetch, no frame, forms post here only. */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src ${STYLESHEET_HASH}`,
  "form-action 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
].join("; ");

const CROSS_ORIGIN_POST =
  "refused: sign-in and sign-out are taken only from this site's own pages (send an Origin header of this site, or Sec-Fetch-Site: same-origin)";

/**
 * A sign-in form holds a token and a page to go back to: this is plenty, and bounds the form an
 * anonymous client has parsed (1 MiB of "a=1&" is 262,144 fields).
 */
export const SIGN_IN_MAX_BYTES = 32 * 1024;

const tooLarge = (c: Context) =>
  c.text(`refused: the sign-in form is larger than ${SIGN_IN_MAX_BYTES} bytes`, 413);

const securityHeaders: MiddlewareHandler = async (c, next) => {
  c.header("content-security-policy", CONTENT_SECURITY_POLICY);
  c.header("x-content-type-options", "nosniff");
  c.header("x-frame-options", "DENY");
  c.header("referrer-policy", "no-referrer");
  c.header("cache-control", "no-store");
  await next();
};

/** The page to go back to after sign-in, if `returnTo` names one of the status page's own. */
function returnToOf(requestUrl: string, returnTo: unknown): string | undefined {
  return returnPathOf(returnTo, new URL(requestUrl).origin) ?? undefined;
}

export function statusPage() {
  const ui = new Hono<{ Bindings: Env }>();
  ui.use("*", securityHeaders);
  // /_keystone/ui/ (as people type it) is the page at /_keystone/ui, whose relative links assume
  // no trailing slash. hono's trimTrailingSlash acts on a 404 only, and the pattern router of
  // hono/tiny matches /_keystone/ui/ to the page: redirect before routing instead.
  ui.use("*", async (c, next) => {
    const url = new URL(c.req.url);
    if (c.req.method !== "GET" || !url.pathname.endsWith("/")) return next();
    url.pathname = url.pathname.slice(0, -1);
    return c.redirect(url.toString(), 301);
  });
  // Sign-in and sign-out are form posts: refuse them from any other origin.
  ui.use("*", csrf());
  ui.use("*", async (c, next) => {
    if (!c.env.READ_TOKEN && !c.env.ADMIN_TOKEN)
      return c.text("the status page is off: set the READ_TOKEN (or ADMIN_TOKEN) secret", 503);
    await next();
  });

  ui.get("/", async (c) => {
    const now = Date.now();
    const session = await sessionOf(c, now);
    if (!session)
      return c.html(<SignInPage returnTo={returnToOf(c.req.url, c.req.query("returnTo"))} />);
    const model = await readStatusPage(c.env, now);
    // The reads are I/O, so the Worker's clock has moved on by what they took: most of the build
    // (every service's objects), not the rendering after it (the clock stands still meanwhile).
    const refreshSeconds = refreshSecondsAfter(Date.now() - now);
    return c.html(
      <StatusPage model={model} scope={session.scope} refreshSeconds={refreshSeconds} />,
    );
  });

  ui.get("/services/:name/incidents/:id", async (c) => {
    // Signed out (or the session ended under the page's refresh): sign in, then come back here.
    if (!(await sessionOf(c, Date.now()))) {
      const { pathname, search } = new URL(c.req.url);
      return c.redirect(`/_keystone/ui?returnTo=${encodeURIComponent(pathname + search)}`, 303);
    }
    const { name, id } = c.req.param();
    const incident = await readIncident(c.env, name, id);
    if (!incident) return c.text(`service "${name}" has no incident ${id}`, 404);
    return c.html(<IncidentPage incident={incident} />);
  });

  // Refused sign-ins count, log and run out like refused bearer tokens (admin/auth.ts).
  // Past the address's bound its form is not read at all (so the page to go back to is not kept).
  const refusalsLeft: MiddlewareHandler = async (c, next) => {
    if (refusalsExhausted(c)) return c.html(<SignInPage error={TOO_MANY_REFUSALS} />, 429);
    await next();
  };
  ui.post("/sign-in", refusalsLeft, limitBody(SIGN_IN_MAX_BYTES, tooLarge), async (c) => {
    const form = await c.req.parseBody();
    const returnTo = returnToOf(c.req.url, form.returnTo);
    const token = typeof form.token === "string" ? form.token.trim() : "";
    if (!(await signIn(c, token, Date.now()))) {
      noteRefusal(
        c,
        token ? "wrong token at status-page sign-in" : "no token at status-page sign-in",
      );
      return c.html(<SignInPage error="That token is not valid." returnTo={returnTo} />, 401);
    }
    return c.redirect(returnTo ?? "/_keystone/ui", 303);
  });

  ui.post("/sign-out", async (c) => {
    await signOut(c, Date.now());
    return c.redirect("/_keystone/ui", 303);
  });

  ui.onError((error, c) => {
    // hono's csrf() refuses with a bare 403: say why, for a script or curl without an Origin.
    if (error instanceof HTTPException)
      return c.text(error.message || (error.status === 403 ? CROSS_ORIGIN_POST : ""), error.status);
    console.error("keystone status page:", error);
    return c.text("the status page could not be built; see the Worker logs", 500);
  });
  return ui;
}
