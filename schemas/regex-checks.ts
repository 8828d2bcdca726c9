// Rule regexes: what RE2 (the linear-time engine) refuses and what it would run too slowly. No
// schema library, and no RE2 of its own: the condition schema (schemas/condition.ts) checks with
// the engine it imports, the data plane's route decoder with the one it loads on first need
// (worker/core/regex-engine.ts), so a request path whose rules string search answers never
// evaluates RE2.
import type { RE2JS } from "re2js";

/** The parts of a condition that hold regexes (structurally: this file knows no schema). */
interface RegexHolder {
  header?: { regex?: string | undefined } | undefined;
  cookie?: { regex?: string | undefined } | undefined;
  query?: { regex?: string | undefined } | undefined;
  path?: { regex?: string | undefined } | undefined;
  all?: RegexHolder[] | undefined;
  any?: RegexHolder[] | undefined;
  not?: RegexHolder | undefined;
}

export const MAX_REGEX_LENGTH = 256;

/**
 * Most RE2 instructions a regex may compile to. Matching costs up to one step per instruction per
 * character (when RE2's DFA gives up), and a value is up to 4,096 characters: at this bound a
 * hostile header costs a few milliseconds, where 24 characters like `(a|b|ab|ba){1000}[^ab]`
 * compile to 9,003 instructions and cost about a second.
 */
export const MAX_REGEX_PROGRAM = 1000;

/** The checks, on the RE2 engine given (re2js's RE2JS class). */
export class RegexChecks {
  readonly #engine: typeof RE2JS;

  constructor(engine: typeof RE2JS) {
    this.#engine = engine;
  }

  /** Why RE2 refuses a pattern, in words, or undefined when it compiles. */
  re2Problem(source: string): string | undefined {
    try {
      this.#engine.compile(source);
      return undefined;
    } catch (error) {
      const detail =
        error instanceof Error ? error.message.replace(/^error parsing regexp: /, "") : "";
      return `regex does not compile on the linear-time engine (RE2 syntax; no backreferences or lookaround): ${detail}`;
    }
  }

  /** Why a pattern (one RE2 accepts) is too costly to run per request, or undefined. */
  regexCostProblem(source: string): string | undefined {
    let size: number;
    try {
      size = this.#engine.compile(source).programSize();
    } catch {
      return undefined; // re2Problem says why
    }
    return size > MAX_REGEX_PROGRAM
      ? `regex compiles to ${size} RE2 instructions, more than ${MAX_REGEX_PROGRAM}: each costs time on every character matched, so use fewer or smaller repetitions`
      : undefined;
  }

  /** Why a pattern cannot be a rule's regex (refused by RE2, or too costly), from one compile. */
  regexProblem(source: string): string | undefined {
    let size: number;
    try {
      size = this.#engine.compile(source).programSize();
    } catch {
      return this.re2Problem(source);
    }
    return size > MAX_REGEX_PROGRAM ? this.regexCostProblem(source) : undefined;
  }

  /** The too-costly regexes of a condition, with their paths inside it. */
  costlyRegexes(condition: RegexHolder, at: (string | number)[] = []) {
    const found: { at: (string | number)[]; message: string }[] = [];
    for (const key of ["header", "cookie", "query", "path"] as const) {
      const regex = condition[key]?.regex;
      const problem = regex === undefined ? undefined : this.regexCostProblem(regex);
      if (problem) found.push({ at: [...at, key, "regex"], message: problem });
    }
    for (const key of ["all", "any"] as const) {
      condition[key]?.forEach((inner, i) => {
        found.push(...this.costlyRegexes(inner, [...at, key, i]));
      });
    }
    if (condition.not) found.push(...this.costlyRegexes(condition.not, [...at, "not"]));
    return found;
  }
}
