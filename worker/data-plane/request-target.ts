// What the data plane reads of the client's URL, split out of request.url without a URL object per
// request. request.url is the runtime's serialization of a URL it has already parsed, so for http
// and https its parts sit at fixed delimiters; anything else (credentials, another scheme) goes
// through the URL parser. request-target.test.ts holds the split to the URL API.

export interface RequestTarget {
  /** "https:" */
  protocol: string;
  /** Host and port as the client addressed them, lowercase. */
  host: string;
  /** Host without the port ("[::1]" for IPv6). */
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
  if (protocol === "") return new URL(href);
  const hostStart = protocol.length + 2;
  const pathStart = href.indexOf("/", hostStart);
  if (pathStart < 0) return new URL(href);
  const host = href.slice(hostStart, pathStart);
  // Credentials before the host: rare enough to leave to the URL parser.
  if (host.includes("@") || host === "") return new URL(href);
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

function hostnameOf(host: string): string {
  if (host.charCodeAt(0) === 91) return host.slice(0, host.indexOf("]") + 1); // "[" IPv6
  const colon = host.indexOf(":");
  return colon < 0 ? host : host.slice(0, colon);
}
