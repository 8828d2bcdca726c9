// Reads a command line against the declared commands before anything runs: which command, whether
// help was asked for, and one clear usage error (with a did-you-mean) for an unknown command, an
// unknown flag, a flag without its value or a missing argument.
import type { ArgDef, ArgsDef, CommandDef } from "citty";
import { suggestion } from "../schemas/suggest.ts";
import { UsageError } from "./errors.ts";
import { GLOBAL_FLAGS } from "./globals.ts";

export interface Invocation {
  /** The command path from the root: [keystone, rollout, start]. */
  chain: CommandDef[];
  /** The words naming it: ["keystone", "rollout", "start"]. */
  names: string[];
  help: boolean;
  version: boolean;
}

export function argsOf(cmd: CommandDef): [string, ArgDef][] {
  return Object.entries((cmd.args ?? {}) as ArgsDef);
}

export function subCommandsOf(cmd: CommandDef): Record<string, CommandDef> {
  return (cmd.subCommands ?? {}) as Record<string, CommandDef>;
}

function aliasesOf(arg: ArgDef): string[] {
  const alias = (arg as { alias?: string | string[] }).alias;
  return alias === undefined ? [] : Array.isArray(alias) ? alias : [alias];
}

/** The flag a token names (`--file=x`, `-f`, `--no-json`), or undefined when none matches. */
function findFlag(cmd: CommandDef, token: string): [string, ArgDef, boolean] | undefined {
  const name = token.replace(/^-{1,2}/, "").replace(/=.*$/s, "");
  for (const [key, arg] of argsOf(cmd)) {
    if (arg.type === "positional") continue;
    if (key === name || aliasesOf(arg).includes(name)) return [key, arg, false];
    if (arg.type === "boolean" && token.startsWith("--no-") && name === `no-${key}`)
      return [key, arg, true];
  }
  return undefined;
}

function flagNames(cmd: CommandDef): string[] {
  return argsOf(cmd)
    .filter(([, arg]) => arg.type !== "positional")
    .map(([key]) => `--${key}`);
}

const GLOBAL_NAMES = Object.keys(GLOBAL_FLAGS).map((name) => `--${name}`);

/** The tail of a usage error: the did-you-mean, if any, and where the usage is. */
function seeHelp(names: string[], hint?: string): string {
  return ` (${hint ? `${hint} ` : ""}see ${names.join(" ")} --help)`;
}

export function resolveInvocation(root: CommandDef, argv: readonly string[]): Invocation {
  const end = argv.indexOf("--");
  const words = end === -1 ? [...argv] : argv.slice(0, end);
  const help = words.includes("--help") || words.includes("-h");
  const version = words[0] === "--version" && words.length === 1;
  const chain = [root];
  const names = [String((root.meta as { name?: string } | undefined)?.name ?? "keystone")];
  const positionals: string[] = [];
  const seen = new Set<string>();
  for (let i = 0; i < words.length; i++) {
    const token = words[i]!;
    const current = chain.at(-1)!;
    if (token === "--help" || token === "-h" || (token === "--version" && version)) continue;
    if (token.startsWith("-") && token !== "-") {
      const found = findFlag(current, token);
      if (!found) {
        const name = token.replace(/=.*$/s, "");
        const hint = suggestion(name, [...flagNames(current), ...GLOBAL_NAMES]);
        throw new UsageError(`unknown flag ${name} for ${names.join(" ")}${seeHelp(names, hint)}`);
      }
      const [key, arg, negated] = found;
      seen.add(key);
      if (arg.type === "string" && !negated && !token.includes("=")) {
        const value = words[i + 1];
        if (value === undefined || value.startsWith("--"))
          throw new UsageError(`${token} needs a value (see ${names.join(" ")} --help)`);
        // The argument parser reads "-x…" as flags, not as this value (and never echo it: it may
        // be a token pasted into --token-env).
        if (value.startsWith("-") && value !== "-")
          throw new UsageError(
            `${token} needs a value: one that starts with "-" goes after "=", as ${token}=-…`,
          );
        i++;
      }
      continue;
    }
    const subCommands = subCommandsOf(current);
    if (Object.keys(subCommands).length > 0) {
      const next = subCommands[token];
      if (!next) {
        const hint = suggestion(token, Object.keys(subCommands));
        throw new UsageError(
          `unknown command "${token}" for ${names.join(" ")}${seeHelp(names, hint)}`,
        );
      }
      chain.push(next);
      names.push(token);
      continue;
    }
    positionals.push(token);
  }
  if (!help && !version) checkComplete(chain.at(-1)!, names, positionals, seen);
  return { chain, names, help, version };
}

/** What a flag's value is called in help and errors: its `valueHint`, else the flag's name. */
export function valueHint(key: string, arg: ArgDef): string {
  return (arg as { valueHint?: string }).valueHint ?? key;
}

/** A group needs its subcommand; a command needs its required arguments and flags. */
function checkComplete(cmd: CommandDef, names: string[], positionals: string[], seen: Set<string>) {
  const command = names.join(" ");
  const subCommands = Object.keys(subCommandsOf(cmd));
  if (subCommands.length > 0 && !cmd.run) {
    throw new UsageError(`${command} needs a command: ${subCommands.join(", ")}${seeHelp(names)}`);
  }
  let given = positionals.length;
  for (const [key, arg] of argsOf(cmd)) {
    if (arg.type === "positional") {
      if (given-- <= 0 && arg.required !== false && arg.default === undefined)
        throw new UsageError(`${command} needs <${key}> (see ${command} --help)`);
    } else if (arg.required === true && arg.default === undefined && !seen.has(key)) {
      throw new UsageError(
        `${command} needs --${key} <${valueHint(key, arg)}> (see ${command} --help)`,
      );
    }
  }
}
