// Match conditions of rules and experiments: what part of a request they look at and how.
import { RE2JS } from "re2js";
import * as z from "zod";
import { isCidr } from "./cidr.ts";
import { CONDITION_KEYS, CONDITION_OPERATORS } from "./config-words.ts";
import { MAX_REGEX_LENGTH, RegexChecks } from "./regex-checks.ts";

export { MAX_REGEX_LENGTH, MAX_REGEX_PROGRAM } from "./regex-checks.ts";

/** The schemas' regex checks, on RE2 imported with them (the CLI and the admin API load both). */
export const regexChecks = new RegexChecks(RE2JS);

/**
 * Regexes run on RE2 (re2js), which matches in time linear in the input: a hostile header cannot
 * wedge an isolate. What RE2 lacks (backreferences, lookaround) is refused here, with the reason.
 */
const Regex = z
  .string()
  .max(MAX_REGEX_LENGTH, `regex longer than ${MAX_REGEX_LENGTH} characters`)
  .superRefine((source, ctx) => {
    const problem = regexChecks.re2Problem(source);
    if (problem) ctx.addIssue({ code: "custom", message: problem });
  });

function exactlyOneOperator(value: Record<string, unknown>, ctx: z.RefinementCtx): void {
  const used = CONDITION_OPERATORS.filter((op) => value[op] !== undefined);
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
    if (!CONDITION_KEYS.some((key) => value[key] !== undefined)) {
      ctx.addIssue({
        code: "custom",
        message: `needs at least one of ${CONDITION_KEYS.join(", ")}`,
      });
    }
  });

export type Condition = z.infer<typeof Condition>;
export type NamedMatch = z.infer<typeof NamedMatch>;
export type PathMatch = z.infer<typeof PathMatch>;
