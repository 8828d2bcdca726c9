// What every command starts from: the global flags main() read, resolved into an output and an
// API client.
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

export interface Session {
  out: Output;
  api: ApiClient;
  io: Io;
  author: string;
  /** The global flags as given (a command may read one, as context add reads --url). */
  globals: GlobalFlags;
  /** The config-file environment the context in use names, if any (--env overrides it). */
  environment: EnvironmentChoice | undefined;
}

/** What main() read before the command runs: where to write and the global flags. */
let current: { io: Io; globals: GlobalFlags } | undefined;

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return "unknown";
  }
}

export function useContext(io: Io, globals: GlobalFlags): void {
  current = { io, globals };
}

/** What a command that talks to no API needs (the context commands): output, io, the flags. */
export function openLocalSession(): Pick<Session, "out" | "io" | "globals"> {
  if (!current) throw new Error("openLocalSession() before main() set the context");
  const { io, globals } = current;
  return { out: createOutput(io, { json: globals.json, noColor: globals.noColor }), io, globals };
}

export function openSession(): Session {
  if (!current) throw new Error("openSession() before main() set the context");
  const { io, globals } = current;
  const target = resolveTarget(globals, io.env, readContexts(io.env), (url) =>
    localToken(url, io.cwd, io.env.KEYSTONE_LOCAL_DIR),
  );
  const author = io.env.KEYSTONE_AUTHOR ?? io.env.GITHUB_ACTOR ?? io.env.USER ?? osUser();
  return {
    out: createOutput(io, { json: globals.json, noColor: globals.noColor }),
    api: new ApiClient(target.url, () => target.token(), accessServiceToken(target.url, io.env)),
    io,
    author,
    environment: target.environment
      ? { name: target.environment, from: `context "${target.context}"` }
      : undefined,
    globals,
  };
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

/** Every value of a repeatable flag (-H a -H b), which the argument parser would collapse. */
export function repeated(rawArgs: readonly string[], names: readonly string[]): string[] {
  const values: string[] = [];
  rawArgs.forEach((arg, i) => {
    for (const name of names) {
      if (arg === name && rawArgs[i + 1] !== undefined) values.push(rawArgs[i + 1]!);
      else if (arg.startsWith(`${name}=`)) values.push(arg.slice(name.length + 1));
    }
  });
  return values;
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
  return flag !== undefined ? { name: flag, from: "--env" } : session.environment;
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
