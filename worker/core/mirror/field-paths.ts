// JSON field paths of a mirror's compare settings, compiled once per config: `meta.requestId`
// from the root, `items.*.updatedAt` with * for any key or index, or one name (`updatedAt`) for
// that field at any depth.

/** Where a value sits in a JSON document: keys and array indexes from the root. */
export type JsonPath = readonly (string | number)[];

export type FieldMatcher = (path: JsonPath) => boolean;

export function compileFieldPaths(paths: readonly string[]): FieldMatcher {
  const anywhere = new Set(paths.filter((p) => !p.includes(".") && p !== "*"));
  const rooted = paths.filter((p) => p.includes(".") || p === "*").map((p) => p.split("."));
  if (anywhere.size === 0 && rooted.length === 0) return () => false;
  return (path) => {
    const last = path.at(-1);
    if (typeof last === "string" && anywhere.has(last)) return true;
    return rooted.some(
      (segments) =>
        segments.length === path.length &&
        segments.every((segment, i) => segment === "*" || segment === String(path[i])),
    );
  };
}

/** `items[2].price`, `meta.requestId`: a path as a person reads it. */
export function describePath(path: JsonPath): string {
  let text = "";
  for (const part of path)
    text += typeof part === "number" ? `[${part}]` : text ? `.${part}` : part;
  return text || "(root)";
}
