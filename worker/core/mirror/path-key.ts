// The key a mirrored request's path is counted and sampled under (kept 6 hours, shown to readers):
// ids, hashes, tokens and e-mail addresses in it replaced by `:id`, `:token` and `:email`, so
// `/items/17` and `/items/18` count together, the number of distinct keys stays small, and no
// secret or personal address a path carries is kept.

const ID_SEGMENT =
  /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[A-Za-z0-9_-]{24,})$/i;
/** An address: "@" as sent or percent-encoded. */
const EMAIL = /@|%40/i;
/** Tokens are long: a segment this long with a digit, or upper and lower case, reads as one. */
const TOKEN_LENGTH = 20;
const DIGIT = /\d/;
const MIXED_CASE = /[a-z].*[A-Z]|[A-Z].*[a-z]/;
/** Deeper paths are cut: the first segments say where; the rest would only add keys. */
const MAX_SEGMENTS = 4;
const MAX_LENGTH = 120;

function foldSegment(segment: string): string {
  if (EMAIL.test(segment)) return ":email";
  if (ID_SEGMENT.test(segment)) return ":id";
  if (segment.length >= TOKEN_LENGTH && (DIGIT.test(segment) || MIXED_CASE.test(segment)))
    return ":token";
  return segment;
}

export function pathKey(pathname: string): string {
  const segments = pathname.split("/").slice(1);
  const kept = segments.slice(0, MAX_SEGMENTS).map(foldSegment);
  const key = `/${kept.join("/")}${segments.length > MAX_SEGMENTS ? "/…" : ""}`;
  return key.length > MAX_LENGTH ? `${key.slice(0, MAX_LENGTH)}…` : key;
}
