// RequestFacts of an incoming Request: headers and cookies read lazily, only if a rule asks.
import { lazyIpAddress, parseCookies, type RequestFacts } from "../core/facts.ts";

interface CfProperties {
  country?: string;
  colo?: string;
  asn?: number;
}

export function factsFromRequest(request: Request, url: URL): RequestFacts {
  const headers = request.headers;
  const cf = (request as { cf?: CfProperties }).cf;
  let cookies: Map<string, string> | undefined;
  const ip = headers.get("cf-connecting-ip");
  return {
    host: url.hostname,
    path: url.pathname,
    method: request.method,
    header: (name) => headers.get(name),
    cookie: (name) => {
      cookies ??= parseCookies(headers.get("cookie"));
      return cookies.get(name) ?? null;
    },
    query: (name) => url.searchParams.get(name),
    ip,
    ipAddress: lazyIpAddress(ip),
    country: cf?.country ?? null,
    colo: cf?.colo ?? null,
    asn: cf?.asn ?? null,
  };
}
