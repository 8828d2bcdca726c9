// Where signing in sends a browser back to: a page of the status page itself on this origin, and
// nowhere else, so that a crafted sign-in link cannot send a signed-in browser away (open redirect).

const STATUS_PAGE = "/_keystone/ui";

/**
 * The path (with its query) to go back to after signing in, from an untrusted `returnTo`; null
 * unless it is a same-origin path under the status page.
 */
export function returnPathOf(returnTo: unknown, origin: string): string | null {
  if (typeof returnTo !== "string" || !returnTo.startsWith("/") || returnTo.startsWith("//"))
    return null;
  // Browsers read a backslash as a slash and drop tabs and newlines: "/\evil" and "/\t/evil" are
  // "//evil", another host.
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\\\u0000-\u001f\u007f]/.test(returnTo)) return null;
  let url: URL;
  try {
    url = new URL(returnTo, origin);
  } catch {
    return null;
  }
  if (url.origin !== origin) return null;
  // Checked after parsing: "/_keystone/ui/../admin" is "/admin".
  if (url.pathname !== STATUS_PAGE && !url.pathname.startsWith(`${STATUS_PAGE}/`)) return null;
  return `${url.pathname}${url.search}`;
}
