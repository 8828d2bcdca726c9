// Where two JSON documents differ, field by field, leaving out ignored fields: what a mirror
// comparison reports. Bounded: it stops after `limit` differences.
import { describePath, type FieldMatcher, type JsonPath } from "./field-paths.ts";

export interface JsonDifference {
  path: JsonPath;
  primary: unknown;
  mirror: unknown;
}

const ABSENT = Symbol("absent");

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

export function diffJson(
  primary: unknown,
  mirror: unknown,
  ignore: FieldMatcher,
  limit: number,
): JsonDifference[] {
  const found: JsonDifference[] = [];
  const walk = (a: unknown, b: unknown, path: (string | number)[]): void => {
    if (found.length >= limit || (path.length > 0 && ignore(path))) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i++)
        walk(i < a.length ? a[i] : ABSENT, i < b.length ? b[i] : ABSENT, [...path, i]);
      return;
    }
    if (isObject(a) && isObject(b)) {
      const keys = new Set([...Object.keys(a), ...Object.keys(b)]);
      for (const key of keys)
        walk(key in a ? a[key] : ABSENT, key in b ? b[key] : ABSENT, [...path, key]);
      return;
    }
    if (a !== b) found.push({ path: [...path], primary: a, mirror: b });
  };
  walk(primary, mirror, []);
  return found;
}

/**
 * A JSON value in a few characters: null when absent, else its JSON text cut at `max`, with
 * every field `secret` matches (at any depth below `path`) replaced by `mask`.
 */
export function showValue(
  value: unknown,
  path: JsonPath,
  secret: FieldMatcher,
  mask: string,
  max: number,
): string | null {
  if (value === ABSENT) return null;
  if (path.length > 0 && secret(path)) return mask;
  const scrub = (v: unknown, at: (string | number)[]): unknown => {
    if (at.length > 0 && secret(at)) return mask;
    if (Array.isArray(v)) return v.map((item, i) => scrub(item, [...at, i]));
    if (isObject(v))
      return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, scrub(x, [...at, k])]));
    return v;
  };
  const text = JSON.stringify(scrub(value, [...path])) ?? String(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

export { describePath };
