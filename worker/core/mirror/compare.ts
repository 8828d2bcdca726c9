// Compares a mirrored response with the one the client got: status, the chosen headers, and the
// body (field by field for JSON, else byte for byte), within the bytes read of each. Differences
// are bounded and never carry a secret: cookies and credentials, and configured JSON fields,
// show as [redacted]; a byte comparison shows sizes, never content.
import type { MirrorDifference } from "../../../schemas/mirror.ts";
import { MAX_DIFF_VALUE, MAX_DIFFERENCES } from "../../../schemas/mirror-limits.ts";
import type { FieldMatcher } from "./field-paths.ts";
import { describePath, diffJson, type JsonDifference, showValue } from "./json-diff.ts";

export interface CompiledCompare {
  headers: readonly string[];
  body: "json" | "bytes" | "none";
  ignore: FieldMatcher;
  redact: FieldMatcher;
  maxBodyBytes: number;
}

/** A response as read for comparison: its body's first bytes, and whether there was more. */
export interface CapturedResponse {
  status: number;
  header: (name: string) => string | null;
  body: Uint8Array;
  truncated: boolean;
}

const REDACTED = "[redacted]";

/** Headers whose values are secrets in any response or request: never shown in a diff. */
const SECRET_HEADERS = new Set([
  "cookie",
  "set-cookie",
  "authorization",
  "proxy-authorization",
  "x-keystone-override",
]);

const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/**
 * JSON nested deeper than this is compared byte by byte: the field-by-field walk copies a path per
 * value and recurses, so a body a client echoes back nested thousands deep would cost it
 * milliseconds per level squared, or the stack. Real documents nest a dozen levels.
 */
export const MAX_COMPARED_DEPTH = 64;

function parseJson(captured: CapturedResponse): { ok: true; value: unknown } | { ok: false } {
  if (captured.truncated || captured.body.length === 0) return { ok: false };
  let value: unknown;
  try {
    value = JSON.parse(decoder.decode(captured.body));
  } catch {
    return { ok: false };
  }
  return nestsDeeperThan(value, MAX_COMPARED_DEPTH) ? { ok: false } : { ok: true, value };
}

/** Whether arrays and objects nest deeper than `max` levels; a loop, not a recursion. */
function nestsDeeperThan(root: unknown, max: number): boolean {
  const values: unknown[] = [root];
  const depths: number[] = [0];
  while (values.length > 0) {
    const value = values.pop();
    const depth = depths.pop()!;
    if (typeof value !== "object" || value === null) continue;
    if (depth >= max) return true;
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      values.push(child);
      depths.push(depth + 1);
    }
  }
  return false;
}

function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? -1 : n;
}

function bytesDifference(primary: CapturedResponse, mirror: CapturedResponse): MirrorDifference[] {
  const at = firstDifference(primary.body, mirror.body);
  if (at < 0) return [];
  const size = (c: CapturedResponse) => `${c.body.length}${c.truncated ? "+" : ""} bytes`;
  return [
    { where: "body", primary: size(primary), mirror: `${size(mirror)}, differing from byte ${at}` },
  ];
}

function jsonDifferences(
  compare: CompiledCompare,
  primary: unknown,
  mirror: unknown,
  room: number,
): MirrorDifference[] {
  const show = (value: unknown, path: JsonDifference["path"]) =>
    showValue(value, path, compare.redact, REDACTED, MAX_DIFF_VALUE);
  return diffJson(primary, mirror, compare.ignore, room).map((d) => ({
    where: `body ${describePath(d.path)}`,
    primary: show(d.primary, d.path),
    mirror: show(d.mirror, d.path),
  }));
}

function cut(value: string | null): string | null {
  return value !== null && value.length > MAX_DIFF_VALUE
    ? `${value.slice(0, MAX_DIFF_VALUE)}…`
    : value;
}

export function compareResponses(
  compare: CompiledCompare,
  primary: CapturedResponse,
  mirror: CapturedResponse,
): MirrorDifference[] {
  const differences: MirrorDifference[] = [];
  if (primary.status !== mirror.status)
    differences.push({
      where: "status",
      primary: String(primary.status),
      mirror: String(mirror.status),
    });
  for (const name of compare.headers) {
    const a = primary.header(name);
    const b = mirror.header(name);
    if (a === b) continue;
    const secret = SECRET_HEADERS.has(name);
    differences.push({
      where: `header ${name}`,
      primary: secret && a !== null ? REDACTED : cut(a),
      mirror: secret && b !== null ? REDACTED : cut(b),
    });
  }
  if (compare.body === "none") return differences;
  const room = MAX_DIFFERENCES - differences.length;
  if (compare.body === "json") {
    const a = parseJson(primary);
    const b = parseJson(mirror);
    if (a.ok && b.ok) return [...differences, ...jsonDifferences(compare, a.value, b.value, room)];
  }
  return [...differences, ...bytesDifference(primary, mirror)].slice(0, MAX_DIFFERENCES);
}
