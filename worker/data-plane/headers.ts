// Headers on the way to the origin and back: strip what clients may not set or what belongs to
// one connection only, say who the client is, and add what we decided.
import { PIN_HEADER } from "../core/affinity.ts";
import type { Verdict } from "../core/decide.ts";
import type { IssuedPin } from "../core/pin-issue.ts";
import { VISITOR_HEADER } from "../core/visitor-token.ts";
import type { RequestTarget } from "./request-target.ts";

/** RFC 9110 §7.6.1: meaningful for one connection only, never forwarded. */
const HOP_BY_HOP = new Set([
  "connection",
  "proxy-connection",
  "keep-alive",
  "te",
  "transfer-encoding",
  "upgrade",
]);

/**
 * Headers that name the client by one address, which origins and their frameworks read as the
 * client (nginx's real_ip module, Express's request-ip, Akamai's and Cloudflare's
 * True-Client-IP): a client's own would be trusted as its address. When a client sends one it is
 * set to the address the runtime saw (`CF-Connecting-IP`; deleted when there is none), in either
 * `forwardedFor` mode: such a header has no list to append to. Cloudflare's own True-Client-IP
 * (a managed transform) is that address already. A CGI spelling (`x_real_ip`) counts as the
 * header: CGI, Rack and PHP read it as the same HTTP_X_REAL_IP.
 */
const CLIENT_ADDRESS = new Set([
  "x-real-ip",
  "true-client-ip",
  "x-client-ip",
  "client-ip",
  "x-cluster-client-ip",
  "fastly-client-ip",
]);

/**
 * A name as CGI, Rack and PHP read it (every character but letters and digits becomes "_", so
 * `x_real_ip` and `x.real.ip` are HTTP_X_REAL_IP, X-Real-IP's variable), spelled with "-"; null
 * for a name that has no other character than those and "-" (the usual spelling, looked up as
 * it is). Checked by character, a copy only for a name that has one.
 */
function cgiSpelling(name: string): string | null {
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    const plain = (code >= 97 && code <= 122) || (code >= 48 && code <= 57) || code === 45;
    if (!plain) return name.replace(/[^a-z0-9]/g, "-");
  }
  return null;
}

/**
 * The forwarding headers Keystone writes itself. A client's own under another spelling
 * (`x_forwarded_for`, `x.forwarded.host`) is dropped: CGI, Rack and PHP read it as the same
 * HTTP_X_FORWARDED_FOR as Keystone's, and which of the two an origin then sees is its server's
 * choice (with `forwardedFor: replace` it must be the client address the runtime saw).
 */
const FORWARDING = new Set([
  "x-forwarded-for",
  "forwarded",
  "x-forwarded-host",
  "x-forwarded-proto",
]);

/** An RFC 9110 token, lowercase: what a header name may be. */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9a-z-]+$/;

const KEYSTONE = "xkeystone";

/**
 * x-keystone-* in any spelling: a name that starts with "xkeystone" once every character but
 * letters and digits is left out. CGI turns each of them into "_" (lighttpd), and CGI, Rack and
 * PHP read `x_keystone_version` or `x.keystone.version` as HTTP_X_KEYSTONE_VERSION, the same
 * variable as the header we set. Checked by character, no copy; names come lowercased.
 */
function isKeystoneHeader(name: string): boolean {
  let matched = 0;
  for (let i = 0; i < name.length; i++) {
    const code = name.charCodeAt(i);
    const alphanumeric = (code >= 97 && code <= 122) || (code >= 48 && code <= 57);
    if (!alphanumeric) continue;
    if (code !== KEYSTONE.charCodeAt(matched)) return false;
    if (++matched === KEYSTONE.length) return true;
  }
  return false;
}

/** An RFC 7239 node: IPv6 in quoted brackets, unknown when the runtime gave no client IP. */
function forwardedNode(ip: string | null): string {
  if (!ip) return "unknown";
  return ip.includes(":") ? `"[${ip}]"` : ip;
}

/** What one pass over the client's headers found: what to strip, and the values the proxy reads. */
interface HeaderScan {
  /** Names to strip (x-keystone-* in any spelling, hop-by-hop); undefined while there are none. */
  strip: string[] | undefined;
  connection: string | null;
  upgrade: string | null;
  ip: string | null;
  chain: string | null;
  forwarded: string | null;
  /** Client address headers the client sent (CLIENT_ADDRESS); undefined while there are none. */
  addressClaims: string[] | undefined;
}

/**
 * One header of the pass (Headers.forEach with the scan as `this`: one native call for all
 * headers, no iterator, no closure). Names come lowercased, repeated headers already joined.
 */
function scanHeader(this: HeaderScan, value: string, name: string): void {
  if (isKeystoneHeader(name) || HOP_BY_HOP.has(name)) {
    if (this.strip) this.strip.push(name);
    else this.strip = [name];
  }
  if (name === "connection") this.connection = value;
  else if (name === "upgrade") this.upgrade = value;
  else if (name === "cf-connecting-ip") this.ip = value;
  else if (name === "x-forwarded-for") this.chain = value;
  else if (name === "forwarded") this.forwarded = value;
  else {
    const spelled = cgiSpelling(name);
    if (CLIENT_ADDRESS.has(spelled ?? name)) {
      if (this.addressClaims) this.addressClaims.push(name);
      else this.addressClaims = [name];
    } else if (spelled !== null && FORWARDING.has(spelled)) {
      // Another spelling of a header Keystone writes itself: the same CGI variable as ours.
      if (this.strip) this.strip.push(name);
      else this.strip = [name];
    }
  }
}

function setClientChain(
  headers: Headers,
  scan: HeaderScan,
  url: RequestTarget,
  verdict: Verdict,
): void {
  const { ip, chain } = scan;
  const element = `for=${forwardedNode(ip)};host="${url.host}";proto=${url.protocol.slice(0, -1)}`;
  if (scan.addressClaims) {
    for (const name of scan.addressClaims) {
      if (ip) headers.set(name, ip);
      else headers.delete(name);
    }
  }
  if (verdict.service.forwardedFor === "replace") {
    if (ip) headers.set("x-forwarded-for", ip);
    else headers.delete("x-forwarded-for");
    headers.set("forwarded", element);
    return;
  }
  // Cloudflare may already have appended the client: do not list it twice.
  if (ip && !(chain && chain.slice(chain.lastIndexOf(",") + 1).trim() === ip))
    headers.set("x-forwarded-for", chain ? `${chain}, ${ip}` : ip);
  const earlier =
    scan.forwarded !== null && isForwardedList(scan.forwarded) ? scan.forwarded : null;
  headers.set("forwarded", earlier ? `${earlier}, ${element}` : element);
}

/** Whether a character is an RFC 9110 tchar (what a token is made of). */
function isTokenChar(code: number): boolean {
  return (
    (code >= 97 && code <= 122) ||
    (code >= 65 && code <= 90) ||
    (code >= 48 && code <= 57) ||
    (code >= 35 && code <= 39) || // # $ % & '
    code === 33 || // !
    code === 42 || // *
    code === 43 || // +
    code === 45 || // -
    code === 46 || // .
    code === 94 || // ^
    code === 95 || // _
    code === 96 || // `
    code === 124 || // |
    code === 126 // ~
  );
}

const isSpace = (code: number) => code === 32 || code === 9;

/**
 * Whether a Forwarded value is a list of RFC 7239 elements (pairs `token=token` or
 * `token="quoted"`, joined by ";", elements by ","; spaces allowed around both). One pass, each
 * character once. A value that is not (a quote left open above all) would make the element
 * Keystone appends part of the client's: `for=1.2.3.4;host="x` swallows `, for=<client>…` into its
 * quoted string, and an origin reading the last element as its proxy's reads the client's instead.
 */
function isForwardedList(value: string): boolean {
  const length = value.length;
  let i = 0;
  for (;;) {
    while (i < length && isSpace(value.charCodeAt(i))) i++;
    // A pair, or an empty one (between separators, or at the ends).
    if (i < length && isTokenChar(value.charCodeAt(i))) {
      while (i < length && isTokenChar(value.charCodeAt(i))) i++;
      if (value.charCodeAt(i) !== 61) return false; // "="
      i++;
      if (value.charCodeAt(i) === 34) {
        // A quoted string: qdtext and quoted pairs up to its closing quote.
        i++;
        for (;;) {
          if (i >= length) return false;
          const code = value.charCodeAt(i);
          if (code === 34) break;
          if (code === 92) {
            const escaped = value.charCodeAt(i + 1);
            if (!(escaped === 9 || (escaped >= 32 && escaped !== 127))) return false;
            i += 2;
            continue;
          }
          if (!(code === 9 || (code >= 32 && code !== 127))) return false;
          i++;
        }
        i++;
      } else {
        const start = i;
        while (i < length && isTokenChar(value.charCodeAt(i))) i++;
        if (i === start) return false;
      }
    }
    while (i < length && isSpace(value.charCodeAt(i))) i++;
    if (i >= length) return true;
    const separator = value.charCodeAt(i);
    if (separator !== 59 && separator !== 44) return false; // ";" ","
    i++;
  }
}

/** Names a Connection header lists that are deleted one by one, with no look at what is present. */
const MAX_LISTED_DELETES = 8;

/**
 * The version's release (when it has one): to the origin on every request, to a client only on
 * an override token's answer.
 */
const RELEASE_HEADER = "x-keystone-release";

/**
 * Deletes the headers a Connection header lists. A delete is a call into the runtime (about
 * 0.2 µs in workerd): a list longer than a few names ("a,a,a,…", 8,000 of them in 16 KB, 2 ms)
 * deletes only the names the request has, each once, so the calls are bounded by its headers.
 */
function stripListed(headers: Headers, tokens: string[], keepUpgrade: boolean): void {
  let present: Set<string> | undefined;
  if (tokens.length > MAX_LISTED_DELETES) {
    present = new Set();
    headers.forEach(addName, present);
  }
  for (const token of tokens) {
    const name = token.trim().toLowerCase();
    if (keepUpgrade && name === "upgrade") continue;
    if (present) {
      if (present.delete(name)) headers.delete(name);
    }
    // Not a header name (the runtime would throw on it): no header of that name to strip.
    else if (HEADER_NAME.test(name)) headers.delete(name);
  }
}

function addName(this: Set<string>, _value: string, name: string): void {
  this.add(name);
}

/**
 * The client's headers minus what it may not send, plus the verdict and the forwarding headers:
 * one pass decides what to strip, then one copy (the client's headers cannot be changed in place).
 */
export function originHeaders(incoming: Headers, url: RequestTarget, verdict: Verdict): Headers {
  const scan: HeaderScan = {
    strip: undefined,
    connection: null,
    upgrade: null,
    ip: null,
    chain: null,
    forwarded: null,
    addressClaims: undefined,
  };
  incoming.forEach(scanHeader, scan);
  const headers = new Headers(incoming);
  // A WebSocket handshake keeps its Upgrade header: the runtime needs it to open the socket.
  const keepUpgrade = scan.upgrade?.toLowerCase() === "websocket";
  if (scan.strip) {
    for (const name of scan.strip) if (!(keepUpgrade && name === "upgrade")) headers.delete(name);
  }
  // Header names listed in Connection (RFC 9110 §7.6.1) are hop-by-hop too.
  if (scan.connection) stripListed(headers, scan.connection.split(","), keepUpgrade);
  headers.set("x-keystone-version", verdict.version.name);
  if (verdict.version.release !== undefined) headers.set(RELEASE_HEADER, verdict.version.release);
  for (const { name, variant } of verdict.experiments) {
    headers.append("x-keystone-experiment", `${name}=${variant}`);
  }
  // A grouped service's origin forwards this on its calls to the group's other services.
  if (verdict.visitorToken !== undefined) headers.set(VISITOR_HEADER, verdict.visitorToken);
  headers.set("x-forwarded-host", url.host);
  headers.set("x-forwarded-proto", url.protocol.slice(0, -1));
  setClientChain(headers, scan, url, verdict);
  return headers;
}

function visitorCookie(verdict: Verdict, url: RequestTarget): string | undefined {
  const cookie = verdict.setCookie;
  if (!cookie) return undefined;
  return `${cookie.name}=${cookie.value}; Max-Age=${cookie.maxAgeSeconds}; ${cookieAttributes(url)}`;
}

function cookieAttributes(url: RequestTarget): string {
  return `Path=/; HttpOnly; SameSite=Lax${url.protocol === "https:" ? "; Secure" : ""}`;
}

/** Adds the client-facing headers; returns the origin's response untouched when there are none. */
export function withClientHeaders(
  response: Response,
  verdict: Verdict,
  url: RequestTarget,
  pin?: IssuedPin,
): Response {
  const cookie = visitorCookie(verdict, url);
  // An override token's holder (an operator, a pipeline's health check) is told the version and
  // the release it reached, whatever exposeVersionHeader says: a check can then tell the release
  // it deployed from the one before on the same track, served by a table not yet everywhere.
  const overridden = verdict.reason.kind === "override";
  const expose = overridden || verdict.service.exposeVersionHeader;
  if (!cookie && !expose && !pin) return response;
  // A copy, not the fetch response's own headers changed in place: in workerd that costs more
  // CPU per request (npm run bench:stages, docs/performance.md).
  const out = new Response(response.body, response);
  if (expose) out.headers.set("x-keystone-version", verdict.version.name);
  if (overridden) {
    // Keystone's word only: never an origin's header of the same name.
    const release = verdict.version.release;
    if (release === undefined) out.headers.delete(RELEASE_HEADER);
    else out.headers.set(RELEASE_HEADER, release);
  }
  if (cookie) out.headers.append("set-cookie", cookie);
  if (pin) {
    // Browsers keep the cookie; other clients send the header back as they received it.
    out.headers.append(
      "set-cookie",
      `${pin.cookie}=${pin.token}; Max-Age=${pin.maxAgeSeconds}; ${cookieAttributes(url)}`,
    );
    out.headers.set(PIN_HEADER, pin.token);
  }
  return out;
}
