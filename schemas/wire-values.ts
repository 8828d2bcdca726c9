// Values that end up on the wire: header values and origin URLs, checked at every entry point
// (config file, rollout start, deploy webhook) so nothing stored can break a request later.
import * as z from "zod";
import { HEADER_SAFE } from "./config-words.ts";

export const HeaderValue = z
  .string()
  .max(256, "at most 256 characters")
  .regex(
    HEADER_SAFE,
    "use visible ASCII characters only: no newlines, control characters or padding",
  );

/**
 * An origin: an http(s) URL with no query, fragment or credentials. The request path is joined to
 * it with the URL API; credentials would leak into logs and error pages.
 */
export const OriginUrl = z
  .url({ protocol: /^https?$/, error: "not an http(s) URL" })
  .superRefine((text, ctx) => {
    // z.url has said why a text that does not parse is refused (new URL would throw here).
    if (!URL.canParse(text)) return;
    const url = new URL(text);
    if (url.username || url.password)
      ctx.addIssue({
        code: "custom",
        message: "an origin URL cannot hold credentials (user:pass@)",
      });
    if (url.search || text.includes("?"))
      ctx.addIssue({ code: "custom", message: "an origin URL cannot have a query (?…)" });
    if (url.hash || text.includes("#"))
      ctx.addIssue({ code: "custom", message: "an origin URL cannot have a fragment (#…)" });
  });

/**
 * A URL as Keystone shows it in messages (a failed gate, a failed health check): scheme, host and
 * path; any query (where webhooks carry tokens) shown as "?…"; credentials never.
 */
export function shownUrl(text: string): string {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "(a URL that does not parse)";
  }
  return `${url.protocol}//${url.host}${url.pathname}${url.search ? "?…" : ""}`;
}

/** A bearer-secret URL (a Slack webhook) as readers see it: scheme and host only. */
export function maskedUrl(text: string): string {
  try {
    const url = new URL(text);
    return `${url.protocol}//${url.host}/…`;
  } catch {
    return "…";
  }
}
