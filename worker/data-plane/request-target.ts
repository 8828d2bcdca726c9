// What the data plane reads of the client's URL: a URL object satisfies it, and so does the data
// plane's own cheaper parse of request.url.

export interface RequestTarget {
  /** "https:" */
  protocol: string;
  /** Host and port as the client addressed them, lowercase. */
  host: string;
  /** Host without the port. */
  hostname: string;
  /** Always starts with "/". */
  pathname: string;
  /** "?…", or "" for none. */
  search: string;
}
