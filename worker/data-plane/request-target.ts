// What the data plane reads of the client's URL, split out of request.url without a URL object per
// request. request.url is the runtime's serialization of a URL it has already parsed, so for http
// and https its parts sit at fixed delimiters; anything else (credentials, another scheme) goes
// through the URL parser. request-target.test.ts holds the split to the URL API. One difference
// on purpose: `hostname` drops the DNS root's trailing dot ("shop.example.com." is the same name
// as "shop.example.com", and nginx and Envoy route it so), so a client that writes the fully
// qualified form reaches the same service, and the same admin host, instead of a 404.

export interface RequestTarget {
  /** "https:" */
  protocol: string;
  /** Host and port as the client addressed them, lowercase. */
  host: string;
  /** Host without the port ("[::1]" for IPv6) nor the root's trailing dot: what routing looks up. */
  hostname: string;
  /** Always starts with "/". */
  pathname: string;
  /** "?…", or "" for none. */
  search: string;
}

/** The parts of a serialized URL (request.url): the same as a URL's for every URL the runtime gives. */
export function targetOf(href: string): RequestTarget {
  const protocol = href.startsWith("https://")
    ? "https:"
    : href.startsWith("http://")
      ? "http:"
      : "";
  if (protocol === "") return parsedTarget(href);
  const hostStart = protocol.length + 2;
  const pathStart = href.indexOf("/", hostStart);
  if (pathStart < 0) return parsedTarget(href);
  const host = href.slice(hostStart, pathStart);
  // Credentials before the host: rare enough to leave to the URL parser.
  if (host.includes("@") || host === "") return parsedTarget(href);
  const hash = href.indexOf("#", pathStart);
  const end = hash < 0 ? href.length : hash;
  const query = href.indexOf("?", pathStart);
  const hasQuery = query >= 0 && query < end;
  return {
    protocol,
    host,
    hostname: hostnameOf(host),
    pathname: href.slice(pathStart, hasQuery ? query : end),
    // A bare "?" is no query, as URL.search has it.
    search: hasQuery && end - query > 1 ? href.slice(query, end) : "",
  };
}

function parsedTarget(href: string): RequestTarget {
  const { protocol, host, hostname, pathname, search } = new URL(href);
  return { protocol, host, hostname: withoutRootDot(hostname), pathname, search };
}

/** A Host header's value ("shop.example.com.:8443", lowercase) as routing looks it up. */
export function hostnameOf(host: string): string {
  if (host.charCodeAt(0) === 91) return host.slice(0, host.indexOf("]") + 1); // "[" IPv6
  const colon = host.indexOf(":");
  return withoutRootDot(colon < 0 ? host : host.slice(0, colon));
}

/** "shop.example.com." → "shop.example.com"; one dot only ("a.." stays unknown). */
function withoutRootDot(hostname: string): string {
  return hostname.length > 1 && hostname.charCodeAt(hostname.length - 1) === 46
    ? hostname.slice(0, -1)
    : hostname;
}
