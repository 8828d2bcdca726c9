// Headers on the way to the origin and back: strip what clients may not set, add what we decided.
import type { Verdict } from "../core/decide.ts";

const KEYSTONE_PREFIX = "x-keystone-";

/** The client's headers minus any x-keystone-*, plus the verdict and the usual forwarding headers. */
export function originHeaders(incoming: Headers, url: URL, verdict: Verdict): Headers {
  const headers = new Headers(incoming);
  const spoofed: string[] = [];
  for (const name of headers.keys()) if (name.startsWith(KEYSTONE_PREFIX)) spoofed.push(name);
  for (const name of spoofed) headers.delete(name);
  headers.set("x-keystone-version", verdict.version.name);
  if (verdict.version.release !== undefined)
    headers.set("x-keystone-release", verdict.version.release);
  for (const { name, variant } of verdict.experiments) {
    headers.append("x-keystone-experiment", `${name}=${variant}`);
  }
  headers.set("x-forwarded-host", url.host);
  headers.set("x-forwarded-proto", url.protocol.slice(0, -1));
  return headers;
}

export function visitorCookie(verdict: Verdict, url: URL): string | undefined {
  const cookie = verdict.setCookie;
  if (!cookie) return undefined;
  const secure = url.protocol === "https:" ? "; Secure" : "";
  return `${cookie.name}=${cookie.value}; Max-Age=${cookie.maxAgeSeconds}; Path=/; HttpOnly; SameSite=Lax${secure}`;
}

/** Adds the client-facing headers; returns the origin's response untouched when there are none. */
export function withClientHeaders(response: Response, verdict: Verdict, url: URL): Response {
  const cookie = visitorCookie(verdict, url);
  const expose = verdict.service.exposeVersionHeader;
  if (!cookie && !expose) return response;
  // A copy, not the fetch response's own headers changed in place: in workerd that costs more
  // CPU per request (npm run bench:stages, docs/performance.md).
  const out = new Response(response.body, response);
  if (expose) out.headers.set("x-keystone-version", verdict.version.name);
  if (cookie) out.headers.append("set-cookie", cookie);
  return out;
}
