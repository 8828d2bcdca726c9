// The CLI's named contexts, stored in the user's config directory: each names an admin API URL
// and the environment variable that holds its token (never the token itself).
import * as z from "zod";
import { NAME } from "./config-words.ts";

/** An environment of a config file's overlays (`environments.<name>`), and of a context. */
export const EnvironmentName = z
  .string()
  .max(63)
  .regex(NAME, "use lowercase letters, digits and dashes ([a-z0-9-])");

export const ContextName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "use lowercase letters, digits, dots, dashes and underscores");

const VARIABLE_NAME = /^[A-Z_][A-Z0-9_]*$/;

/**
 * Whether a value given as a variable name looks like a secret instead: a token alphabet's
 * punctuation in a long value, mixed case with digits, or a long run of letters and digits with
 * no word break (an upper-case hex or base32 key). Conventional names (STAGING_KEYSTONE_TOKEN,
 * KEYSTONE_TOKEN_2) are words joined by `_`.
 */
function looksLikeSecret(value: string): boolean {
  if (value.length >= 16 && /[^A-Za-z0-9_]/.test(value)) return true;
  if (value.length >= 12 && /[a-z]/.test(value) && /[A-Z]/.test(value) && /\d/.test(value))
    return true;
  return value
    .split("_")
    .some(
      (word) =>
        word.length >= 24 ||
        (word.length >= 16 && /\d/.test(word)) ||
        (word.length >= 12 && /\d.*\d/.test(word)),
    );
}

/**
 * The name of the environment variable holding a context's token, by convention: upper case,
 * digits and `_`. A token pasted here by mistake fails this check and is never stored, nor echoed.
 */
export const TokenEnvName = z
  .string()
  .max(128)
  .superRefine((value, ctx) => {
    if (looksLikeSecret(value))
      ctx.addIssue({
        code: "custom",
        message:
          "this looks like a token, not the name of an environment variable: give the variable that holds it (like STAGING_KEYSTONE_TOKEN)",
      });
    else if (!VARIABLE_NAME.test(value))
      ctx.addIssue({
        code: "custom",
        message:
          "the name of an environment variable: upper case, digits and _ (like STAGING_KEYSTONE_TOKEN), not the token itself",
      });
  });

export const ContextUrl = z.url({ protocol: /^https?$/, error: "not an http(s) URL" });

export const CliContext = z.strictObject({
  url: ContextUrl,
  tokenEnv: TokenEnvName,
  /** The config-file environment whose overlay validate, diff and apply resolve. */
  env: EnvironmentName.optional(),
});

/**
 * A context as a contexts file holds it. Files written before the naming convention may name any
 * shell variable (`staging_token`): they keep working; only `context add` applies the convention.
 */
const StoredContext = CliContext.extend({
  tokenEnv: z
    .string()
    .max(128)
    .regex(/^[A-Za-z_][A-Za-z0-9_]*$/, "the name of an environment variable"),
});

export const ContextsFile = z.strictObject({
  current: ContextName.nullable().default(null),
  contexts: z.record(ContextName, StoredContext).default({}),
});

export type CliContext = z.infer<typeof CliContext>;
export type ContextsFile = z.infer<typeof ContextsFile>;
