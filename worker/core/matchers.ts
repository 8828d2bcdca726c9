// Compiles match conditions into predicates once per config revision: no regex compilation,
// lowercasing or CIDR parsing per request. Regexes run on RE2 (linear time in the input).
import { RE2JS } from "re2js";
import { cidrContains, parseCidr } from "../../schemas/cidr.ts";
import type { Condition, NamedMatch, PathMatch } from "../../schemas/condition.ts";
import type { RequestFacts } from "./facts.ts";
import { literalPattern, type PatternTest } from "./literal-pattern.ts";
import { prefixCovers } from "./path.ts";

export type Predicate = (facts: RequestFacts) => boolean;

type ValueTest = (value: string | null) => boolean;

/**
 * Longest header, cookie or query value a matcher compares: a longer value matches no `equals`,
 * `in`, `regex` or `prefix` (it still counts as `present`). Bounds the work per request.
 */
export const MAX_MATCHED_VALUE_LENGTH = 4096;

/**
 * The engine rule regexes run on: linear time, whatever the pattern and input. Plain words and
 * alternation are answered by string search, exactly as RE2 would (literal-pattern.ts).
 */
export function compileRegex(source: string): PatternTest {
  return literalPattern(source) ?? RE2JS.compile(source);
}

function compileValueTest(match: Omit<PathMatch, "prefix"> & { prefix?: string }): ValueTest {
  const test = compileComparison(match);
  if (match.present !== undefined) return test;
  return (value) => value !== null && value.length <= MAX_MATCHED_VALUE_LENGTH && test(value);
}

function compileComparison(match: Omit<PathMatch, "prefix"> & { prefix?: string }): ValueTest {
  if (match.equals !== undefined) {
    const expected = match.equals;
    return (value) => value === expected;
  }
  if (match.in !== undefined) {
    const allowed = new Set(match.in);
    return (value) => value !== null && allowed.has(value);
  }
  if (match.regex !== undefined) {
    const pattern = compileRegex(match.regex);
    return (value) => value !== null && pattern.test(value);
  }
  if (match.prefix !== undefined) {
    // Ends at a segment boundary, like a service's pathPrefix: /foo covers /foo/bar, not /foobar.
    const prefix = match.prefix;
    return (value) => value !== null && prefixCovers(prefix, value);
  }
  const wanted = match.present === true;
  return (value) => (value !== null) === wanted;
}

function named(
  match: NamedMatch,
  read: (facts: RequestFacts, name: string) => string | null,
  lowercaseName: boolean,
): Predicate {
  const name = lowercaseName ? match.name.toLowerCase() : match.name;
  const test = compileValueTest(match);
  return (facts) => test(read(facts, name));
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
  if (condition.header) parts.push(named(condition.header, (f, n) => f.header(n), true));
  if (condition.cookie) parts.push(named(condition.cookie, (f, n) => f.cookie(n), false));
  if (condition.query) parts.push(named(condition.query, (f, n) => f.query(n), false));
  if (condition.path) {
    const test = compileValueTest(condition.path);
    parts.push((facts) => test(facts.path));
  }
  if (condition.method) parts.push(inSet(upper(condition.method), (f) => f.method));
  if (condition.country) parts.push(inSet(upper(condition.country), (f) => f.country));
  if (condition.colo) parts.push(inSet(upper(condition.colo), (f) => f.colo));
  if (condition.asn) parts.push(inSet(condition.asn, (f) => f.asn));
  if (condition.ip) parts.push(compileIp(condition.ip));
  if (condition.all) {
    const inner = condition.all.map(compileCondition);
    parts.push((facts) => inner.every((p) => p(facts)));
  }
  if (condition.any) {
    const inner = condition.any.map(compileCondition);
    parts.push((facts) => inner.some((p) => p(facts)));
  }
  if (condition.not) {
    const inner = compileCondition(condition.not);
    parts.push((facts) => !inner(facts));
  }
  if (parts.length === 1) return parts[0]!;
  return (facts) => parts.every((p) => p(facts));
}

function compileIp(cidrs: readonly string[]): Predicate {
  const ranges = cidrs.map((text) => parseCidr(text)!);
  return (facts) => {
    const ip = facts.ipAddress();
    return ip !== undefined && ranges.some((range) => cidrContains(range, ip));
  };
}
