// What every command runs with (its session: output, global flags, author, the API client) and
// the flag values several commands share.
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import { type AccessServiceToken, ApiClient } from "./client.ts";
import type { EnvironmentChoice } from "./config-file.ts";
import { readContexts } from "./contexts/store.ts";
import { resolveTarget } from "./contexts/target.ts";
import { CliError, EXIT } from "./errors.ts";
import type { GlobalFlags } from "./globals.ts";
import { createOutput, type Io, type Output } from "./io.ts";

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

/**
 * What a command runs with: where it writes, the global flags, who is changing things, and the
 * admin API it talks to. The API (from the flags, env vars and contexts) is resolved when a
 * command first asks for it or for its context's environment: a command that talks to no API
 * (context add) never needs one.
 */
export class Session {
  readonly io: Io;
  /** The global flags as given (a command may read one, as context add reads --url). */
  readonly globals: GlobalFlags;
  readonly out: Output;
  readonly author: string;
  #connection: { api: ApiClient; environment: EnvironmentChoice | undefined } | undefined;

  constructor(io: Io, globals: GlobalFlags) {
    this.io = io;
    this.globals = globals;
    this.out = createOutput(io, { json: globals.json, noColor: globals.noColor });
    this.author = io.env.KEYSTONE_AUTHOR ?? io.env.GITHUB_ACTOR ?? io.env.USER ?? osUser();
  }

  get api(): ApiClient {
    return this.#connect().api;
  }

  /** The config-file environment the context in use names, if any (--env overrides it). */
  get environment(): EnvironmentChoice | undefined {
    return this.#connect().environment;
  }

  #connect() {
    if (this.#connection) return this.#connection;
    const { io, globals } = this;
    const target = resolveTarget(globals, io.env, readContexts(io.env), (url) =>
      localToken(url, io.cwd, io.env.KEYSTONE_LOCAL_DIR),
    );
    this.#connection = {
      api: new ApiClient(target.url, target, accessServiceToken(target.url, io.env)),
      environment: target.environment
        ? { name: target.environment, from: `context "${target.context}"` }
        : undefined,
    };
    return this.#connection;
  }
}

/**
 * The Cloudflare Access service token in KEYSTONE_ACCESS_CLIENT_ID and _SECRET, for an https
 * admin URL only: Access fronts only https hostnames, and the secret never goes out in the clear
 * or to a local Worker. One of the two without the other is refused (exit 5), as a context's
 * unset token variable is.
 */
export function accessServiceToken(
  url: string,
  env: Record<string, string | undefined>,
): AccessServiceToken | undefined {
  const clientId = env.KEYSTONE_ACCESS_CLIENT_ID || undefined;
  const clientSecret = env.KEYSTONE_ACCESS_CLIENT_SECRET || undefined;
  if (clientId === undefined && clientSecret === undefined) return undefined;
  if (clientId === undefined || clientSecret === undefined) {
    const [set, unset] = clientId
      ? ["KEYSTONE_ACCESS_CLIENT_ID", "KEYSTONE_ACCESS_CLIENT_SECRET"]
      : ["KEYSTONE_ACCESS_CLIENT_SECRET", "KEYSTONE_ACCESS_CLIENT_ID"];
    throw new CliError(
      EXIT.auth,
      `${set} is set but ${unset} is not: a Cloudflare Access service token is both`,
    );
  }
  return url.startsWith("https://") ? { clientId, clientSecret } : undefined;
}

/**
 * For a Worker on this machine (npm start), the admin token in its .dev.vars: the one in
 * KEYSTONE_LOCAL_DIR when npm start was given one, else the nearest from the current folder up.
 */
export function localToken(url: string, cwd: string, localDir?: string): string | undefined {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) return undefined;
  const dirs = localDir ? [localDir] : [];
  for (let dir = cwd; ; dir = dirname(dir)) {
    dirs.push(dir);
    if (dirname(dir) === dir) break;
  }
  for (const dir of dirs) {
    try {
      const text = readFileSync(join(dir, ".dev.vars"), "utf8");
      const match = /^ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?\s*$/m.exec(text);
      if (match) return match[1];
    } catch {
      // no .dev.vars here: look further up
    }
  }
  return undefined;
}

/** --if-revision N: the revision a change must still be based on (optimistic concurrency). */
export function expectedRevision(flag: string | undefined): number | undefined {
  if (flag === undefined) return undefined;
  const revision = Number(flag);
  if (!Number.isInteger(revision) || revision < 0) {
    throw new CliError(EXIT.usage, `--if-revision takes a revision number, not "${flag}"`);
  }
  return revision;
}

/** `--env NAME` on the commands that read a config file: which environment's overlay applies. */
export const envArg = {
  env: {
    type: "string",
    valueHint: "name",
    description: "resolve the file's overlay for this environment (default: the context's)",
  },
} as const;

export function environmentChoice(
  flag: string | undefined,
  session: Session,
): EnvironmentChoice | undefined {
  // The API is resolved even with --env: a bad --url or --context is told as before.
  const fromContext = session.environment;
  return flag !== undefined ? { name: flag, from: "--env" } : fromContext;
}

/** A whole-number flag within [min, max] (`--last 10`), or a usage error naming the flag. */
export function wholeNumberFlag(flag: string, value: string, min: number, max: number): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new CliError(
      EXIT.usage,
      `--${flag} takes a number from ${min} to ${max}, not "${value}"`,
    );
  return n;
}
