// Compiles match conditions into predicates once per config revision: no regex compilation,
// lowercasing or CIDR parsing per request. Regexes run on RE2 (linear time in the input), loaded
// on first need (regex-engine.ts).
import { cidrContains, parseCidr } from "../../schemas/cidr.ts";
import type { Condition, PathMatch } from "../../schemas/condition.ts";
import type { RequestFacts } from "./facts.ts";
import { anchoredPrefix, literalPattern, type PatternTest } from "./literal-pattern.ts";
import { prefixCovers } from "./path.ts";
import { regexEngine } from "./regex-engine.ts";

export type Predicate = (facts: RequestFacts) => boolean;

type ValueTest = (value: string | null) => boolean;

/**
 * Longest header, cookie or query value a matcher compares: a longer value matches no `equals`,
 * `in`, `regex` or `prefix` (it still counts as `present`). Bounds the work per request.
 */
const MAX_MATCHED_VALUE_LENGTH = 4096;

/**
 * The engine rule regexes run on: linear time, whatever the pattern and input. Plain words and
 * alternation, and sequences of one-character atoms anchored at one end, are answered by string
 * search, exactly as RE2 would, and an anchored pattern's literal start is checked before RE2 runs
 * (literal-pattern.ts). Any other pattern needs RE2 loaded first (`loadRegexEngine()`).
 */
export function compileRegex(source: string): PatternTest {
  const literal = literalPattern(source);
  if (literal) return literal;
  const pattern = regexEngine().compile(source);
  const prefix = anchoredPrefix(source);
  if (prefix === "") return pattern;
  return { test: (value) => value.startsWith(prefix) && pattern.test(value) };
}

/** Whether a value is one a comparison looks at (present, and not longer than the bound). */
function comparable(value: string | null): value is string {
  return value !== null && value.length <= MAX_MATCHED_VALUE_LENGTH;
}

/** One closure per comparison, bound checks included: a rule costs two calls, not four. */
function compileValueTest(match: Omit<PathMatch, "prefix"> & { prefix?: string }): ValueTest {
  if (match.equals !== undefined) {
    const expected = match.equals;
    // An expected value past the bound matches nothing, as a value past it is never compared.
    if (expected.length > MAX_MATCHED_VALUE_LENGTH) return () => false;
    return (value) => value === expected;
  }
  if (match.in !== undefined) {
    const allowed = new Set(match.in.filter((v) => v.length <= MAX_MATCHED_VALUE_LENGTH));
    return (value) => value !== null && allowed.has(value);
  }
  if (match.regex !== undefined) {
    const pattern = compileRegex(match.regex);
    return (value) => comparable(value) && pattern.test(value);
  }
  if (match.prefix !== undefined) {
    // Ends at a segment boundary, like a service's pathPrefix: /foo covers /foo/bar, not /foobar.
    const prefix = match.prefix;
    return (value) => comparable(value) && prefixCovers(prefix, value);
  }
  const wanted = match.present === true;
  return (value) => (value !== null) === wanted;
}

function inSet<T>(values: readonly T[], read: (facts: RequestFacts) => T | null): Predicate {
  const allowed = new Set(values);
  return (facts) => {
    const value = read(facts);
    return value !== null && allowed.has(value);
  };
}

function upper(values: readonly string[]): string[] {
  return values.map((v) => v.toUpperCase());
}

export function compileCondition(condition: Condition): Predicate {
  const parts: Predicate[] = [];
  if (condition.header) {
    const name = condition.header.name.toLowerCase();
    const test = compileValueTest(condition.header);
    parts.push((facts) => test(facts.header(name)));
  }
  if (condition.cookie) {
    const { name } = condition.cookie;
    const test = compileValueTest(condition.cookie);
    parts.push((facts) => test(facts.cookie(name)));
  }
  if (condition.query) {
    const { name } = condition.query;
    const test = compileValueTest(condition.query);
    parts.push((facts) => test(facts.query(name)));
  }
  if (condition.path) {
    const test = compileValueTest(condition.path);
    parts.push((facts) => test(facts.path));
  }
  if (condition.method) parts.push(inSet(upper(condition.method), (f) => f.method));
  if (condition.country) parts.push(inSet(upper(condition.country), (f) => f.country));
  if (condition.colo) parts.push(inSet(upper(condition.colo), (f) => f.colo));
  if (condition.asn) parts.push(inSet(condition.asn, (f) => f.asn));
  if (condition.ip) parts.push(compileIp(condition.ip));
  if (condition.all) parts.push(allOf(condition.all.map(compileCondition)));
  if (condition.any) parts.push(anyOf(condition.any.map(compileCondition)));
  if (condition.not) {
    const inner = compileCondition(condition.not);
    parts.push((facts) => !inner(facts));
  }
  return parts.length === 1 ? parts[0]! : allOf(parts);
}

/** Loops, not every/some: no closure allocated per request. */
function allOf(predicates: Predicate[]): Predicate {
  return (facts) => {
    for (const predicate of predicates) if (!predicate(facts)) return false;
    return true;
  };
}

function anyOf(predicates: Predicate[]): Predicate {
  return (facts) => {
    for (const predicate of predicates) if (predicate(facts)) return true;
    return false;
  };
}

function compileIp(cidrs: readonly string[]): Predicate {
  const ranges = cidrs.map((text) => parseCidr(text)!);
  return (facts) => {
    const ip = facts.ipAddress();
    if (ip === undefined) return false;
    for (const range of ranges) if (cidrContains(range, ip)) return true;
    return false;
  };
}
