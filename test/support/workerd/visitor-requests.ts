// Requests through a harness's data plane as particular visitors: from a place (request.cf, as
// Cloudflare sets it), with the cookies and headers they were given before.
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import type { RolloutHarness } from "./rollout-harness.ts";

export interface Sent {
  version: string;
  /** Set-Cookie values by cookie name. */
  cookies: Map<string, string>;
  pin: string | null;
  body: string;
}

export async function send(
  h: RolloutHarness,
  init: {
    path?: string;
    host?: string;
    cookies?: Map<string, string>;
    headers?: Record<string, string>;
    cf?: Record<string, string>;
  } = {},
): Promise<Sent> {
  const headers = new Headers(init.headers);
  if (init.cookies?.size)
    headers.set("cookie", [...init.cookies].map(([k, v]) => `${k}=${v}`).join("; "));
  const request = new Request(`https://${init.host ?? `${h.service}.test`}${init.path ?? "/"}`, {
    headers,
    cf: init.cf,
  });
  const ctx = createExecutionContext();
  const response = await h.plane.fetch(request, ctx);
  const body = await response.text();
  await waitOnExecutionContext(ctx);
  const cookies = new Map<string, string>();
  for (const line of response.headers.getSetCookie()) {
    const [pair] = line.split(";");
    const eq = pair!.indexOf("=");
    cookies.set(pair!.slice(0, eq), pair!.slice(eq + 1));
  }
  return {
    version: response.headers.get("x-keystone-version") ?? "none",
    cookies,
    pin: response.headers.get("x-keystone-affinity"),
    body,
  };
}

/** A browser: keeps the cookies it is given and sends them back. */
export class Browser {
  readonly jar = new Map<string, string>();
  readonly h: RolloutHarness;
  readonly cf: Record<string, string>;

  constructor(h: RolloutHarness, id: string, cf: Record<string, string> = {}) {
    this.h = h;
    this.cf = cf;
    this.jar.set(`ks_${h.service}`, id);
  }

  async get(path = "/"): Promise<string> {
    const sent = await send(this.h, { path, cookies: this.jar, cf: this.cf });
    for (const [name, value] of sent.cookies) this.jar.set(name, value);
    return sent.version;
  }
}

export function count(versions: string[]): Record<string, number> {
  const counts: Record<string, number> = {};
  for (const v of versions) counts[v] = (counts[v] ?? 0) + 1;
  return counts;
}
