// The key a mirrored request's path is counted under: ids and hashes in it replaced by `:id`, so
// `/items/17` and `/items/18` count together and the number of distinct keys stays small.

const ID_SEGMENT =
  /^(\d+|[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|[0-9a-f]{16,}|[A-Za-z0-9_-]{24,})$/i;
/** Deeper paths are cut: the first segments say where; the rest would only add keys. */
const MAX_SEGMENTS = 4;
const MAX_LENGTH = 120;

export function pathKey(pathname: string): string {
  const segments = pathname.split("/").slice(1);
  const kept = segments
    .slice(0, MAX_SEGMENTS)
    .map((segment) => (ID_SEGMENT.test(segment) ? ":id" : segment));
  const key = `/${kept.join("/")}${segments.length > MAX_SEGMENTS ? "/…" : ""}`;
  return key.length > MAX_LENGTH ? `${key.slice(0, MAX_LENGTH)}…` : key;
}
