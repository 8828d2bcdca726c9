// The CLI's named contexts, stored in the user's config directory: each names an admin API URL
// and the environment variable that holds its token (never the token itself).
import * as z from "zod";

/** An environment of a config file's overlays (`environments.<name>`), and of a context. */
export const EnvironmentName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9][a-z0-9-]*$/, "use lowercase letters, digits and dashes ([a-z0-9-])");

export const ContextName = z
  .string()
  .max(63)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "use lowercase letters, digits, dots, dashes and underscores");

/** A variable name: a token pasted here by mistake fails this check and is never stored. */
export const TokenEnvName = z
  .string()
  .max(128)
  .regex(
    /^[A-Za-z_][A-Za-z0-9_]*$/,
    "the name of an environment variable (like STAGING_KEYSTONE_TOKEN), not the token itself",
  );

export const ContextUrl = z.url({ protocol: /^https?$/, error: "not an http(s) URL" });

export const CliContext = z.strictObject({
  url: ContextUrl,
  tokenEnv: TokenEnvName,
  /** The config-file environment whose overlay validate, diff and apply resolve. */
  env: EnvironmentName.optional(),
});

export const ContextsFile = z.strictObject({
  current: ContextName.nullable().default(null),
  contexts: z.record(ContextName, CliContext).default({}),
});

export type CliContext = z.infer<typeof CliContext>;
export type ContextsFile = z.infer<typeof ContextsFile>;
