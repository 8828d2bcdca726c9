// RequestFacts of an incoming Request: headers and cookies read lazily, only if a rule asks.
import { lazyIpAddress, parseCookies, type RequestFacts } from "../core/facts.ts";
import { normalizePath } from "../core/path.ts";

interface CfProperties {
  country?: string;
  colo?: string;
  continent?: string;
  asn?: number;
}

export function factsFromRequest(request: Request, url: URL): RequestFacts {
  const headers = request.headers;
  // request.cf is costly to materialise: read it only when a geo rule or a regional wave asks.
  let cf: CfProperties | undefined | null = null;
  const cfOf = () => {
    if (cf === null) cf = (request as { cf?: CfProperties }).cf;
    return cf;
  };
  let cookies: Map<string, string> | undefined;
  const ip = headers.get("cf-connecting-ip");
  return {
    host: url.hostname,
    // Matching sees the normalized path; the origin still gets url.pathname as sent.
    path: normalizePath(url.pathname),
    method: request.method,
    header: (name) => headers.get(name),
    cookie: (name) => {
      cookies ??= parseCookies(headers.get("cookie"));
      return cookies.get(name) ?? null;
    },
    query: (name) => url.searchParams.get(name),
    ip,
    ipAddress: lazyIpAddress(ip),
    get country() {
      return cfOf()?.country ?? null;
    },
    get colo() {
      return cfOf()?.colo ?? null;
    },
    get continent() {
      return cfOf()?.continent ?? null;
    },
    get asn() {
      return cfOf()?.asn ?? null;
    },
  };
}
