// Turns validation failures into "path: message" lines a person can act on: plain words, the
// allowed values, and a "did you mean" for near misses, instead of the schema library's wording.
import type * as z from "zod";
import { nearest } from "./suggest.ts";

export interface Problem {
  path: string;
  message: string;
}

/** A problem with its path as parts, so a caller can find it in the source. */
export interface PathIssue {
  at: (string | number)[];
  message: string;
}

export interface DescribeOptions {
  /** The input that was checked: lets a message quote the value it refuses. */
  input?: unknown;
  /** The fields an object at this path may have: lets an unknown field get a "did you mean". */
  fieldsAt?: (at: (string | number)[]) => string[] | undefined;
}

/** `["services", 0, "split"]` → `services[0].split`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else out += out === "" ? String(part) : `.${String(part)}`;
  }
  return out || "(root)";
}

/**
 * How deep a request body may nest: far past any config (a rule's all/any/not included), short of
 * the stack every recursive reader needs (the schemas, the compiler, the explainer).
 */
export const MAX_NESTING = 100;

/** Parts of a too-deep path shown before "…". */
const SHOWN_PARTS = 10;

/**
 * A JSON value nested deeper than `limit` levels, as a problem at the path into it (cut after a
 * few parts); undefined when it is not. Walked without recursion, so any depth is answered.
 */
export function nestedTooDeep(value: unknown, limit = MAX_NESTING): Problem | undefined {
  type Visit = { node: unknown; depth: number; key?: string | number; parent?: Visit };
  const stack: Visit[] = [{ node: value, depth: 1 }];
  for (let visit = stack.pop(); visit; visit = stack.pop()) {
    const { node, depth } = visit;
    if (typeof node !== "object" || node === null) continue;
    if (depth > limit) {
      const at: (string | number)[] = [];
      for (let v: Visit | undefined = visit; v?.key !== undefined; v = v.parent) at.unshift(v.key);
      const cut = at.length > SHOWN_PARTS;
      return {
        path: `${formatPath(at.slice(0, SHOWN_PARTS))}${cut ? "…" : ""}`,
        message: `nested deeper than ${limit} levels`,
      };
    }
    const entries: [string | number, unknown][] = Array.isArray(node)
      ? node.map((item, i) => [i, item])
      : Object.entries(node);
    for (const [key, inner] of entries)
      if (typeof inner === "object" && inner !== null)
        stack.push({ node: inner, depth: depth + 1, key, parent: visit });
  }
  return undefined;
}

function valueAt(input: unknown, at: readonly (string | number)[]): unknown {
  let value = input;
  for (const part of at) {
    if (typeof value !== "object" || value === null) return undefined;
    value = (value as Record<string | number, unknown>)[part];
  }
  return value;
}

const quote = (value: unknown) =>
  typeof value === "string" ? `"${value}"` : JSON.stringify(value);

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return `the text ${quote(value)}`;
  return `${typeof value} ${String(value)}`;
}

const EXPECTED: Record<string, string> = {
  string: "text",
  number: "a number",
  int: "a whole number",
  boolean: "true or false",
  array: "a list",
  object: "a map of fields",
  record: "a map",
};

/** The library's own wording starts like this; custom messages from the schemas are kept. */
const LIBRARY_WORDING = /^(Invalid|Too (small|big)|Unrecognized|Expected)/;

function bound(issue: { origin?: string; inclusive?: boolean }, n: number | bigint, low: boolean) {
  const what = issue.origin === "array" ? "item" : issue.origin === "string" ? "character" : "";
  if (what) return `${low ? "at least" : "at most"} ${n} ${what}${Number(n) === 1 ? "" : "s"}`;
  if (issue.inclusive === false) return `${low ? "above" : "below"} ${n}`;
  return `${low ? "at least" : "at most"} ${n}`;
}

/** What was given, from the value when we have it, else from the library's "received …" wording. */
function given(issue: z.core.$ZodIssue, value: unknown, known: boolean): string {
  if (known) return kind(value);
  const received = /received (\w+)/.exec(issue.message)?.[1];
  return received ? (EXPECTED[received] ?? received) : "something else";
}

function describe(issue: z.core.$ZodIssue, value: unknown, known: boolean): string {
  const missing = known ? value === undefined : issue.message.endsWith("received undefined");
  if (issue.code === "invalid_type" && missing) return "required field is missing";
  if (!LIBRARY_WORDING.test(issue.message)) return issue.message;
  switch (issue.code) {
    case "invalid_type":
      return `expected ${EXPECTED[issue.expected] ?? issue.expected}, got ${given(issue, value, known)}`;
    case "invalid_value": {
      if (issue.values.length === 1) return `must be ${quote(issue.values[0])}`;
      const allowed = issue.values.map((v) => String(v));
      const close = typeof value === "string" ? nearest(value, allowed) : undefined;
      // With the input at hand, nothing at the path means the field was left out, not mistyped.
      const head =
        value !== undefined
          ? `${quote(value)} is not allowed`
          : known
            ? "required field is missing"
            : "not allowed";
      return `${head}: use one of ${allowed.join(", ")}${close ? ` (did you mean "${close}"?)` : ""}`;
    }
    case "too_small":
      return issue.origin === "string" && Number(issue.minimum) === 1
        ? "must not be empty"
        : `must be ${bound(issue, issue.minimum, true)}`;
    case "too_big":
      return `must be ${bound(issue, issue.maximum, false)}`;
    case "invalid_format":
      if (issue.format === "starts_with")
        return `must start with "${(issue as { prefix?: string }).prefix}"`;
      if (issue.format === "regex")
        return `must match the pattern ${(issue as { pattern?: string }).pattern ?? ""}`.trimEnd();
      return `not a valid ${issue.format}`;
    case "invalid_union":
      return "does not match any of the allowed forms";
    default:
      return issue.message;
  }
}

/**
 * The one form of a union the value was meant as: the only branch that failed inside the value
 * (a map whose field is wrong), else the only one that did not fail on the value's kind (a
 * string given where a map is allowed too). Its issues say what is wrong.
 */
function meantBranch(issue: z.core.$ZodIssue): z.core.$ZodIssue[] | undefined {
  if (issue.code !== "invalid_union") return undefined;
  const only = (keep: (inner: z.core.$ZodIssue) => boolean) => {
    const branches = issue.errors.filter((branch) => branch.every(keep));
    return branches.length === 1 ? branches[0] : undefined;
  };
  return (
    only((inner) => inner.path.length > 0) ??
    only((inner) => inner.path.length > 0 || inner.code !== "invalid_type")
  );
}

/** Every issue in plain words; an unknown field becomes one issue at that field. */
export function issuesOf(error: z.ZodError, options: DescribeOptions = {}): PathIssue[] {
  return describeIssues(error.issues, [], options);
}

function describeIssues(
  issues: readonly z.core.$ZodIssue[],
  prefix: (string | number)[],
  options: DescribeOptions,
): PathIssue[] {
  const out: PathIssue[] = [];
  for (const issue of issues) {
    const at = [...prefix, ...issue.path.map((p) => (typeof p === "number" ? p : String(p)))];
    const branch = meantBranch(issue);
    if (branch) {
      out.push(...describeIssues(branch, at, options));
      continue;
    }
    if (issue.code === "unrecognized_keys") {
      const allowed = options.fieldsAt?.(at) ?? [];
      for (const key of issue.keys) {
        const close = nearest(key, allowed);
        const hint = close ? `: did you mean "${close}"?` : "";
        const fields = allowed.length ? ` (fields here: ${allowed.join(", ")})` : "";
        out.push({ at: [...at, key], message: `unknown field "${key}"${hint}${fields}` });
      }
    } else if (issue.code === "invalid_key") {
      const inner = issue.issues[0];
      const key = at.at(-1);
      out.push({
        at,
        message: `the name "${String(key)}" is not allowed: ${inner?.message ?? ""}`,
      });
    } else {
      const known = "input" in options;
      out.push({ at, message: describe(issue, valueAt(options.input, at), known) });
    }
  }
  return out;
}

export function problemsOf(
  error: z.ZodError,
  prefix: readonly PropertyKey[] = [],
  options: DescribeOptions = {},
): Problem[] {
  return issuesOf(error, options).map((issue) => ({
    path: formatPath([...prefix, ...issue.at]),
    message: issue.message,
  }));
}

export function formatProblems(problems: Problem[]): string {
  return problems.map((p) => `${p.path}: ${p.message}`).join("\n");
}
