// Which admin API a command talks to, with which token and config environment: flags, then env
// vars, then the current context, then defaults. `--context NAME` is a flag: that context's URL,
// token and environment rank as flags (below an explicit --url, --token or --env). A context's
// token and environment go only with its URL: a token is never sent to another context's API.
import type { ContextsFile } from "../../schemas/cli-contexts.ts";
import { unknownName } from "../../schemas/cross-checks.ts";
import { CliError, EXIT, UsageError } from "../errors.ts";
import { type GlobalFlags, resolveUrl } from "../globals.ts";

type Env = Record<string, string | undefined>;

export interface Target {
  url: string;
  /** The context whose URL this is, if any. */
  context: string | undefined;
  /** The config-file environment from the context (a command's --env overrides it). */
  environment: string | undefined;
  /** Read when a request needs it, so an offline command never fails on a missing token. */
  token(): string | undefined;
  /**
   * Where the token was given ("--token", "KEYSTONE_TOKEN", a context's variable); undefined for
   * the local Worker's own token read from .dev.vars, or none: a refusal's hint depends on it.
   */
  tokenGiven(): string | undefined;
}

export function resolveTarget(
  globals: Pick<GlobalFlags, "url" | "token" | "context">,
  env: Env,
  contexts: ContextsFile,
  localToken: (url: string) => string | undefined,
): Target {
  const chosen = globals.context ?? contexts.current ?? undefined;
  const context = chosen === undefined ? undefined : contexts.contexts[chosen];
  if (chosen !== undefined && !context) {
    const how = globals.context !== undefined ? "--context" : "the current context (context use)";
    throw new UsageError(
      `${how}: ${unknownName("context", chosen, Object.keys(contexts.contexts))}`,
      ["add it with keystone context add, or list them with keystone context list"],
    );
  }
  const byFlag = globals.context !== undefined;
  // The context's URL wins when it ranks above KEYSTONE_URL (chosen by flag) or nothing else says.
  const fromContext =
    context !== undefined && globals.url === undefined && (byFlag || !env.KEYSTONE_URL);
  const url = fromContext ? context.url : resolveUrl(globals.url, env);
  const contextToken = (): string => {
    const value = env[context!.tokenEnv];
    if (!value)
      throw new CliError(
        EXIT.auth,
        `context "${chosen}" takes its token from $${context!.tokenEnv}, which is not set`,
        [`export ${context!.tokenEnv}=<the admin or read token of ${context!.url}>`],
      );
    return value;
  };
  const contextVariable = () => `$${context!.tokenEnv} (context "${chosen}")`;
  /** The token and where it was given, in the order flags, context by flag, env, context, local. */
  const pick = (): { value: string | undefined; given: string | undefined } => {
    if (globals.token !== undefined) return { value: globals.token, given: "--token" };
    if (fromContext && byFlag) return { value: contextToken(), given: contextVariable() };
    if (env.KEYSTONE_TOKEN) return { value: env.KEYSTONE_TOKEN, given: "KEYSTONE_TOKEN" };
    if (fromContext) return { value: contextToken(), given: contextVariable() };
    return { value: localToken(url), given: undefined };
  };
  return {
    url,
    context: fromContext ? chosen : undefined,
    environment: fromContext ? context.env : undefined,
    token: () => pick().value,
    tokenGiven: () => pick().given,
  };
}
