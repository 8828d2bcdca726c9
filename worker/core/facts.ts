// What the routing core may know about a request: plain accessors, evaluated lazily.
import { type IpAddress, parseIp } from "../../schemas/cidr.ts";
import { normalizePath } from "./path.ts";

export interface RequestFacts {
  /** Lowercased host name without port. */
  host: string;
  /** The path normalized (RFC 3986 §6.2.2, see path.ts): what rules and pathPrefix see. */
  path: string;
  method: string;
  /** Header by lowercased name. */
  header(name: string): string | null;
  cookie(name: string): string | null;
  query(name: string): string | null;
  ip: string | null;
  /** The client IP parsed, once per request however many IP rules ask. */
  ipAddress(): IpAddress | undefined;
  country: string | null;
  colo: string | null;
  /** Continent code (`request.cf.continent`: AF, AN, AS, EU, NA, OC, SA). */
  continent: string | null;
  asn: number | null;
}

/** A memoized parse of the client IP. */
function lazyIpAddress(ip: string | null): () => IpAddress | undefined {
  let parsed: IpAddress | undefined | null = null;
  return () => {
    if (parsed === null) parsed = ip === null ? undefined : parseIp(ip);
    return parsed;
  };
}

/** A request described as data (used by `keystone explain` and tests). */
export interface RequestDescription {
  host: string;
  path?: string;
  method?: string;
  headers?: Record<string, string>;
  cookies?: Record<string, string>;
  query?: Record<string, string>;
  ip?: string;
  country?: string;
  colo?: string;
  continent?: string;
  asn?: number;
}

export function factsFromDescription(d: RequestDescription): RequestFacts {
  const headers = new Map(Object.entries(d.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]));
  const cookies = new Map(Object.entries(d.cookies ?? {}));
  const query = new Map(Object.entries(d.query ?? {}));
  const ip = d.ip ?? headers.get("cf-connecting-ip") ?? null;
  // A Cookie header given among the headers is read as the data plane reads it; --cookie wins.
  const cookieHeader = headers.get("cookie") ?? null;
  return {
    host: d.host.toLowerCase().replace(/:\d+$/, ""),
    path: normalizePath(d.path ?? "/"),
    method: (d.method ?? "GET").toUpperCase(),
    header: (name) => headers.get(name) ?? null,
    cookie: (name) => cookies.get(name) ?? readCookie(cookieHeader, name),
    query: (name) => query.get(name) ?? null,
    ip,
    ipAddress: lazyIpAddress(ip),
    country: d.country ?? null,
    colo: d.colo ?? null,
    continent: d.continent ?? null,
    asn: d.asn ?? null,
  };
}

/** Whether String.prototype.trim removes this character (the whitespace around cookie pairs). */
function isTrimmed(code: number): boolean {
  return (
    (code >= 9 && code <= 13) ||
    code === 32 ||
    code === 0xa0 ||
    code === 0x1680 ||
    (code >= 0x2000 && code <= 0x200a) ||
    code === 0x2028 ||
    code === 0x2029 ||
    code === 0x202f ||
    code === 0x205f ||
    code === 0x3000 ||
    code === 0xfeff
  );
}

/**
 * Two Cookie headers (an HTTP/2 client may send each cookie apart) reach a Worker joined with ", ",
 * Fetch's rule for a repeated header. No cookie value holds a comma or a space (RFC 6265 §4.1.1):
 * ", " ends a cookie as "; " does, so the second header's cookies are read, and the first's last
 * value does not swallow them.
 */
const SEMICOLON = 59;
const COMMA = 44;
const SPACE = 32;
const EQUALS = 61;
const AMPERSAND = 38;
const QUESTION_MARK = 63;

/*
 * The readers below look at each character once, in a plain loop, and call no string search from
 * a position: in optimized V8 code (Node 22, workerd) a String.prototype.indexOf from a position
 * in such a loop was measured to cost about the whole string's length each call, found at once or
 * not, so a search per pair read 16 KB of "a;" or "a&" in about a millisecond (quadratic).
 */

/**
 * One cookie's value from a Cookie header, as `parseCookies(header).get(name)` would give it (the
 * first occurrence wins), found in place: no map and no string per pair, only the value.
 */
export function readCookie(header: string | null, name: string): string | null {
  if (!header || name === "") return null;
  const length = header.length;
  for (let start = 0; start < length; ) {
    // The pair ends at ";" or at ", " (two headers joined); its name at its first "=".
    let eq = -1;
    let end = start;
    for (; end < length; end++) {
      const code = header.charCodeAt(end);
      if (code === SEMICOLON) break;
      if (code === COMMA && header.charCodeAt(end + 1) === SPACE) break;
      if (code === EQUALS && eq < 0) eq = end;
    }
    if (eq >= 0) {
      let from = start;
      let to = eq;
      while (from < to && isTrimmed(header.charCodeAt(from))) from++;
      while (to > from && isTrimmed(header.charCodeAt(to - 1))) to--;
      if (to - from === name.length && header.startsWith(name, from))
        return cookieValue(header.slice(eq + 1, end));
    }
    start = end + 1;
  }
  return null;
}

/**
 * Whether URLSearchParams must decode a query string to read it: "+" (a space), "%" (an escaped
 * byte) or a character outside ASCII (read as UTF-8). A URL's query is ASCII, percent-encoded.
 */
export function queryNeedsDecoding(search: string): boolean {
  return NEEDS_DECODING.test(search);
}

const NEEDS_DECODING = /[%+\u0080-\uffff]/;

/**
 * One parameter's value from a query string ("?a=1&b" or "a=1") that needs no decoding, as
 * `new URLSearchParams(search).get(name)` gives it (the first occurrence wins, a name without "="
 * has the value ""), found in place: no parameter list built, no string but the value.
 */
export function readPlainQueryParam(search: string, name: string): string | null {
  const length = search.length;
  for (let start = search.charCodeAt(0) === QUESTION_MARK ? 1 : 0; start < length; ) {
    // The parameter ends at "&"; its name at its first "=".
    let eq = -1;
    let end = start;
    for (; end < length; end++) {
      const code = search.charCodeAt(end);
      if (code === AMPERSAND) break;
      if (code === EQUALS && eq < 0) eq = end;
    }
    const nameEnd = eq < 0 ? end : eq;
    if (end > start && nameEnd - start === name.length && search.startsWith(name, start))
      return nameEnd === end ? "" : search.slice(nameEnd + 1, end);
    start = end + 1;
  }
  return null;
}

/** Cookie header → map; the first occurrence of a name wins, as browsers send the most specific first. */
const COOKIE_SEPARATORS = /;|, /;

export function parseCookies(header: string | null): Map<string, string> {
  const cookies = new Map<string, string>();
  if (!header) return cookies;
  for (const pair of header.split(COOKIE_SEPARATORS)) {
    const eq = pair.indexOf("=");
    if (eq < 0) continue;
    const name = pair.slice(0, eq).trim();
    if (name && !cookies.has(name)) cookies.set(name, cookieValue(pair.slice(eq + 1)));
  }
  return cookies;
}

/**
 * A cookie's value as it means it: trimmed, and out of its double quotes when it has them (RFC
 * 6265 lets a value be sent `"1"`; servers read it as 1, and a rule's `equals: "1"` should too).
 */
function cookieValue(raw: string): string {
  const value = raw.trim();
  return value.length >= 2 &&
    value.charCodeAt(0) === 34 &&
    value.charCodeAt(value.length - 1) === 34
    ? value.slice(1, -1)
    : value;
}
