// Match conditions of rules and experiments: what part of a request they look at and how.
import { RE2JS } from "re2js";
import * as z from "zod";
import { isCidr } from "./cidr.ts";

export const MAX_REGEX_LENGTH = 256;

/**
 * Most RE2 instructions a regex may compile to. Matching costs up to one step per instruction per
 * character (when RE2's DFA gives up), and a value is up to 4,096 characters: at this bound a
 * hostile header costs a few milliseconds, where 24 characters like `(a|b|ab|ba){1000}[^ab]`
 * compile to 9,003 instructions and cost about a second.
 */
export const MAX_REGEX_PROGRAM = 1000;

/**
 * Regexes run on RE2 (re2js), which matches in time linear in the input: a hostile header cannot
 * wedge an isolate. What RE2 lacks (backreferences, lookaround) is refused here, with the reason.
 */
const Regex = z
  .string()
  .max(MAX_REGEX_LENGTH, `regex longer than ${MAX_REGEX_LENGTH} characters`)
  .superRefine((source, ctx) => {
    const problem = re2Problem(source);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

/** Why RE2 refuses a pattern, in words, or undefined when it compiles. */
export function re2Problem(source: string): string | undefined {
  try {
    RE2JS.compile(source);
    return undefined;
  } catch (error) {
    const detail =
      error instanceof Error ? error.message.replace(/^error parsing regexp: /, "") : "";
    return `regex does not compile on the linear-time engine (RE2 syntax; no backreferences or lookaround): ${detail}`;
  }
}

/** Why a pattern (one RE2 accepts) is too costly to run per request, or undefined. */
export function regexCostProblem(source: string): string | undefined {
  let size: number;
  try {
    size = RE2JS.compile(source).programSize();
  } catch {
    return undefined; // re2Problem says why
  }
  return size > MAX_REGEX_PROGRAM
    ? `regex compiles to ${size} RE2 instructions, more than ${MAX_REGEX_PROGRAM}: each costs time on every character matched, so use fewer or smaller repetitions`
    : undefined;
}

/** The too-costly regexes of a condition, with their paths inside it. */
export function costlyRegexes(condition: Condition, at: (string | number)[] = []) {
  const found: { at: (string | number)[]; message: string }[] = [];
  for (const key of ["header", "cookie", "query", "path"] as const) {
    const regex = condition[key]?.regex;
    const problem = regex === undefined ? undefined : regexCostProblem(regex);
    if (problem) found.push({ at: [...at, key, "regex"], message: problem });
  }
  for (const key of ["all", "any"] as const) {
    condition[key]?.forEach((inner, i) => {
      found.push(...costlyRegexes(inner, [...at, key, i]));
    });
  }
  if (condition.not) found.push(...costlyRegexes(condition.not, [...at, "not"]));
  return found;
}

const OPERATORS = ["equals", "in", "regex", "present", "prefix"] as const;

function exactlyOneOperator(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const used = OPERATORS.filter((op) => value[op] !== undefined);
  if (used.length !== 1) {
    ctx.addIssue({
      code: "custom",
      message:
        used.length === 0
          ? "needs one of equals, in, regex, present"
          : `has ${used.join(" and ")}: use exactly one operator`,
    });
  }
}

const operatorFields = {
  equals: z.string().optional(),
  in: z.array(z.string()).min(1).optional(),
  regex: Regex.optional(),
  present: z.boolean().optional(),
};

/** A header, cookie or query parameter, by name, with one operator. */
export const NamedMatch = z
  .strictObject({ name: z.string().min(1), ...operatorFields })
  .superRefine(exactlyOneOperator);

/** The request path, with one operator (prefix included). */
export const PathMatch = z
  .strictObject({ ...operatorFields, prefix: z.string().startsWith("/").optional() })
  .superRefine(exactlyOneOperator);

const Cidr = z.string().refine(isCidr, { message: "not an IPv4 or IPv6 CIDR (like 10.0.0.0/8)" });

const conditionKeys = [
  "header",
  "cookie",
  "query",
  "path",
  "method",
  "country",
  "colo",
  "asn",
  "ip",
  "all",
  "any",
  "not",
] as const;

/** Every key given must match (AND); all/any/not combine nested conditions. */
export const Condition = z
  .strictObject({
    header: NamedMatch.optional(),
    cookie: NamedMatch.optional(),
    query: NamedMatch.optional(),
    path: PathMatch.optional(),
    method: z.array(z.string().min(1)).min(1).optional(),
    country: z.array(z.string().length(2, "country codes have two letters")).min(1).optional(),
    colo: z.array(z.string().min(1)).min(1).optional(),
    asn: z.array(z.number().int().nonnegative()).min(1).optional(),
    ip: z.array(Cidr).min(1).optional(),
    get all(): z.ZodOptional<z.ZodArray<typeof Condition>> {
      return z.array(Condition).min(1).optional();
    },
    get any(): z.ZodOptional<z.ZodArray<typeof Condition>> {
      return z.array(Condition).min(1).optional();
    },
    get not(): z.ZodOptional<typeof Condition> {
      return Condition.optional();
    },
  })
  .superRefine((value, ctx) => {
    if (!conditionKeys.some((key) => value[key] !== undefined)) {
      ctx.addIssue({
        code: "custom",
        message: `needs at least one of ${conditionKeys.join(", ")}`,
      });
    }
  });

export type Condition = z.infer<typeof Condition>;
export type NamedMatch = z.infer<typeof NamedMatch>;
export type PathMatch = z.infer<typeof PathMatch>;
