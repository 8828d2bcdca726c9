// What every command starts from: the global flags main() read, resolved into an output and an
// API client.
import { readFileSync } from "node:fs";
import { userInfo } from "node:os";
import { dirname, join } from "node:path";
import { ApiClient } from "./client.ts";
import { CliError, EXIT } from "./errors.ts";
import { type GlobalFlags, resolveUrl } from "./globals.ts";
import { createOutput, type Io, type Output } from "./io.ts";

export interface Session {
  out: Output;
  api: ApiClient;
  io: Io;
  author: string;
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

export function openSession(): Session {
  if (!current) throw new Error("openSession() before main() set the context");
  const { io, globals } = current;
  const url = resolveUrl(globals.url, io.env);
  const token = globals.token ?? io.env.KEYSTONE_TOKEN ?? localToken(url, io.cwd);
  const author = io.env.KEYSTONE_AUTHOR ?? io.env.GITHUB_ACTOR ?? io.env.USER ?? osUser();
  return {
    out: createOutput(io, { json: globals.json, noColor: globals.noColor }),
    api: new ApiClient(url, token),
    io,
    author,
  };
}

/** For a Worker on this machine (npm start), the admin token in the nearest .dev.vars. */
export function localToken(url: string, cwd: string): string | undefined {
  const host = new URL(url).hostname;
  if (!["127.0.0.1", "localhost", "[::1]"].includes(host)) return undefined;
  for (let dir = cwd; ; dir = dirname(dir)) {
    try {
      const text = readFileSync(join(dir, ".dev.vars"), "utf8");
      const match = /^ADMIN_TOKEN\s*=\s*"?([^"\n]+)"?\s*$/m.exec(text);
      if (match) return match[1];
    } catch {
      // no .dev.vars here: look further up
    }
    if (dirname(dir) === dir) return undefined;
  }
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
