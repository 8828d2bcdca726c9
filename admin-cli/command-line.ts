// Reads a command line once, against the declared commands, before anything runs: the global
// flags (anywhere), which command (loading only the modules its words name), whether help or the
// version was asked for, and the command's own arguments; or one clear usage error (with a
// did-you-mean) for an unknown command, an unknown flag, a command's flag given before the command
// (said where it belongs), a flag without its value or a missing argument.
import { suggestion } from "../schemas/suggest.ts";
import { type ArgDef, type Command, type Group, isGroup, type StringFlag } from "./command.ts";
import { UsageError } from "./errors.ts";
import { GLOBAL_FLAGS, type GlobalFlags, readGlobal, switchValue } from "./globals.ts";

export type ArgValues = Record<string, string | boolean | string[] | undefined>;

export interface Invocation {
  globals: GlobalFlags;
  /** The command (or group) named, and the words naming it: ["keystone", "rollout", "start"]. */
  node: Command | Group;
  names: string[];
  help: boolean;
  version: boolean;
  /** The command's arguments, by their declared names. */
  args: ArgValues;
  /** The first mistake in the command's words; the global flags are read all the same. */
  problem: UsageError | undefined;
}

export function argsOf(node: Command | Group): [string, ArgDef][] {
  return isGroup(node) ? [] : Object.entries(node.args);
}

/** The flag a token names (`--file=x`, `-f`, `--no-wait`), or undefined when none matches. */
function findFlag(node: Command | Group, token: string): [string, ArgDef, boolean] | undefined {
  const name = token.replace(/^-{1,2}/, "").replace(/=.*$/s, "");
  for (const [key, arg] of argsOf(node)) {
    if (arg.type === "positional") continue;
    if (key === name || (arg.type === "string" && arg.alias === name)) return [key, arg, false];
    if (arg.type === "boolean" && token.startsWith("--no-") && name === `no-${key}`)
      return [key, arg, true];
  }
  return undefined;
}

function flagNames(node: Command | Group): string[] {
  return argsOf(node)
    .filter(([, arg]) => arg.type !== "positional")
    .map(([key]) => `--${key}`);
}

const GLOBAL_NAMES = Object.keys(GLOBAL_FLAGS).map((name) => `--${name}`);

/** The tail of a usage error: the did-you-mean, if any, and where the usage is. */
function seeHelp(names: string[], hint?: string): string {
  return ` (${hint ? `${hint} ` : ""}see ${names.join(" ")} --help)`;
}

function unknownFlag(node: Command | Group, names: string[], token: string): UsageError {
  const name = token.replace(/=.*$/s, "");
  const hint = suggestion(name, [...flagNames(node), ...GLOBAL_NAMES]);
  return new UsageError(`unknown flag ${name} for ${names.join(" ")}${seeHelp(names, hint)}`);
}

/** A word as it would be typed in a shell: quoted when it holds anything but plain characters. */
function shellWord(word: string): string {
  return /^[\w@%+=:,./-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/** Words of a line to run, as typed in a shell, a --token's value left unsaid. */
function shownWords(words: readonly string[]): string[] {
  return words.map((word, at) =>
    word.startsWith("--token=")
      ? "--token=<token>"
      : words[at - 1] === "--token"
        ? "<token>"
        : shellWord(word),
  );
}

/** What a flag's value is called in help and errors: its `valueHint`, else the flag's name. */
export function valueHint(key: string, arg: StringFlag): string {
  return arg.valueHint ?? key;
}

/** The command line as read so far. */
class Reading {
  readonly globals: GlobalFlags = { json: false, noColor: false };
  node: Command | Group;
  readonly names: string[] = ["keystone"];
  help = false;
  version = false;
  readonly args: ArgValues = {};
  readonly positionals: string[] = [];
  /** The words other than global flags, before `--`. */
  words = 0;
  readonly argv: readonly string[];

  constructor(argv: readonly string[], root: Group) {
    this.argv = argv;
    this.node = root;
  }

  /** The global flags from argv[i] on: the index of the first word that is not one. */
  skipGlobals(i: number): number {
    let at = i;
    for (let taken = 1; at < this.argv.length && this.argv[at] !== "--"; at += taken) {
      taken = readGlobal(this.argv, at, this.globals);
      if (taken === 0) break;
    }
    return at;
  }

  /** Reads the word at argv[i] (not a global flag); the index of the next word. */
  async word(i: number): Promise<number> {
    const token = this.argv[i]!;
    const { node, names } = this;
    this.words++;
    if (this.version) throw unknownFlag(node, names, "--version");
    if (token === "--help" || token === "-h") {
      this.help = true;
      return i + 1;
    }
    if (token === "--version" && this.words === 1) {
      this.version = true;
      return i + 1;
    }
    if (token.startsWith("-") && token !== "-") {
      // A group takes no flags but the global ones: a command's flag given before the command.
      if (isGroup(node)) throw await this.misplacedFlag(i);
      return this.flag(i);
    }
    if (isGroup(node)) {
      const load = node.subcommands[token];
      if (!load) {
        const hint = suggestion(token, Object.keys(node.subcommands));
        throw new UsageError(
          `unknown command "${token}" for ${names.join(" ")}${seeHelp(names, hint)}`,
        );
      }
      this.node = await load();
      names.push(token);
      return i + 1;
    }
    this.positionals.push(token);
    return i + 1;
  }

  /**
   * A flag given before its command (`keystone -f x.yaml validate`): where it belongs, when the
   * command named later on the line takes it (none named: the commands under this group that
   * take it); else the flag is unknown, for that command if one is named.
   */
  async misplacedFlag(i: number): Promise<UsageError> {
    const token = this.argv[i]!;
    const name = token.replace(/=.*$/s, "");
    // The word after the flag is its value when a command named after that word takes the flag
    // with a value (`rollout --reason abort abort shop`), though the word names a command too.
    let named = await this.#commandNamedAfter(i);
    const next = this.argv[i + 1];
    if (!token.includes("=") && next !== undefined && !next.startsWith("-")) {
      const skipping = await this.#commandNamedAfter(i, i + 1);
      const taker = isGroup(skipping.node) ? undefined : findFlag(skipping.node, token);
      if (taker && taker[1].type === "string") named = skipping;
    }
    const { node, names, commandAt } = named;
    /** Where the flag's value is, when it takes one after a space and the command is not there. */
    let valueAt: number | undefined;
    /** The flag as it goes after the command, with the value given (one starting "-" unsaid). */
    const moved = ([key, arg]: [string, ArgDef, boolean]): string => {
      if (arg.type !== "string") return token;
      const hint = `<${valueHint(key, arg)}>`;
      if (token.includes("=")) {
        const inline = token.slice(token.indexOf("=") + 1);
        return inline.startsWith("-") ? `${name}=${hint}` : `${name}=${shellWord(inline)}`;
      }
      let at = i + 1;
      for (let taken = 1; at < this.argv.length && taken > 0; at += taken) {
        taken = this.#globalWords(at) ?? 0;
        if (taken === 0) break;
      }
      const value = this.argv[at];
      if (value !== undefined && !commandAt.has(at)) valueAt = at;
      const said = value === undefined || value.startsWith("-") || commandAt.has(at);
      return `${token} ${said ? hint : shellWord(value)}`;
    };
    if (!isGroup(node)) {
      const found = findFlag(node, token);
      if (!found) return unknownFlag(node, names, token);
      const flag = moved(found);
      const last = Math.max(...commandAt);
      // What followed the command (its arguments, other flags) stays, and what came before it
      // but the command's words goes after it too (global flags: without --context or --url the
      // line would run against another Worker), so the line runs as shown.
      const before: string[] = [];
      for (let at = 0; at < last; at++) {
        if (at === i || at === valueAt || commandAt.has(at)) continue;
        const taken = this.#globalWords(at) ?? 0;
        // Before the flag, a word that is not a global flag is one of the command's words.
        if (taken === 0 && at < i) continue;
        before.push(...this.argv.slice(at, at + Math.max(taken, 1)));
        at += Math.max(taken, 1) - 1;
      }
      const rest = this.argv.slice(last + 1);
      return new UsageError(
        `${name} belongs after the command: ${[...names, ...shownWords([...rest, ...before])].join(" ")} ${flag}`,
      );
    }
    const takers: [string[], [string, ArgDef, boolean]][] = [];
    const visit = async (group: Group, path: string[]): Promise<void> => {
      for (const [word, load] of Object.entries(group.subcommands)) {
        const child = await load();
        if (isGroup(child)) await visit(child, [...path, word]);
        else {
          const found = findFlag(child, token);
          if (found) takers.push([[...path, word], found]);
        }
      }
    };
    await visit(node, []);
    const [first, ...others] = takers;
    if (!first) return unknownFlag(node, names, token);
    const also = others.length
      ? ` (also ${others.map(([path]) => path.join(" ")).join(", ")})`
      : "";
    return new UsageError(
      `${name} belongs after a command that takes it: ${[...names, ...first[0]].join(" ")} ${moved(first[1])}${also}`,
    );
  }

  /**
   * The command the words after the flag at `i` name (global flags and other words passed over;
   * the word at `skip` too), the names it adds, and where they are on the line.
   */
  async #commandNamedAfter(
    i: number,
    skip?: number,
  ): Promise<{ node: Group | Command; names: string[]; commandAt: Set<number> }> {
    let node = this.node;
    const names = [...this.names];
    const commandAt = new Set<number>();
    for (let at = i + 1; at < this.argv.length && isGroup(node); at++) {
      const word = this.argv[at]!;
      if (word === "--") break;
      const taken = this.#globalWords(at);
      if (taken === undefined) break;
      if (taken > 0) {
        at += taken - 1;
        continue;
      }
      if (at === skip || !Object.hasOwn(node.subcommands, word)) continue;
      node = await node.subcommands[word]!();
      names.push(word);
      commandAt.add(at);
    }
    return { node, names, commandAt };
  }

  /**
   * How many words a global flag at `at` takes (0: none is there), read without recording it;
   * undefined when it is one given wrongly (its own error is for the parse proper).
   */
  #globalWords(at: number): number | undefined {
    try {
      return readGlobal(this.argv, at, { json: false, noColor: false });
    } catch {
      return undefined;
    }
  }

  flag(i: number): number {
    const token = this.argv[i]!;
    const found = findFlag(this.node, token);
    if (!found) throw unknownFlag(this.node, this.names, token);
    const [key, arg, negated] = found;
    const inline = token.includes("=") ? token.slice(token.indexOf("=") + 1) : undefined;
    if (arg.type === "boolean") {
      const on = switchValue(token.replace(/=.*$/s, ""), inline);
      this.args[key] = negated ? !on : on;
      return i + 1;
    }
    if (arg.type !== "string") return i + 1;
    let value = inline;
    let next = i + 1;
    if (value === undefined) {
      // Global flags may stand between a flag and its value.
      const at = this.skipGlobals(i + 1);
      value = this.argv[at];
      if (value === undefined || value.startsWith("--"))
        throw new UsageError(`${token} needs a value (see ${this.names.join(" ")} --help)`);
      // A value that starts with "-" would be read as flags (and is never echoed: it may be a
      // token pasted into --token-env).
      if (value.startsWith("-") && value !== "-")
        throw new UsageError(
          `${token} needs a value: one that starts with "-" goes after "=", as ${token}=-…`,
        );
      next = at + 1;
    }
    const before = this.args[key];
    this.args[key] = arg.repeatable ? [...((before as string[] | undefined) ?? []), value] : value;
    return next;
  }

  /** A group needs its subcommand; a command needs its required arguments and flags. */
  complete(): void {
    const { node, names } = this;
    const command = names.join(" ");
    if (isGroup(node)) {
      const subcommands = Object.keys(node.subcommands).join(", ");
      throw new UsageError(`${command} needs a command: ${subcommands}${seeHelp(names)}`);
    }
    const rest = [...this.positionals];
    // `keystone apply keystone.yaml`: the file given as a word, without its flag. Said as such,
    // rather than "needs --file" or "takes no arguments", which leave the reader to guess.
    const fileFlag = node.args.file;
    const positionalCount = argsOf(node).filter(([, arg]) => arg.type === "positional").length;
    if (
      fileFlag?.type === "string" &&
      this.args.file === undefined &&
      rest.length > positionalCount
    ) {
      const word = rest[positionalCount]!;
      throw new UsageError(
        `${command} takes the file with -f, not as an argument: ${command} -f ${shellWord(word)} (see ${command} --help)`,
      );
    }
    for (const [key, arg] of argsOf(node)) {
      if (arg.type === "positional") {
        if (rest.length === 0 && arg.required !== false)
          throw new UsageError(`${command} needs <${key}> (see ${command} --help)`);
        this.args[key] = arg.variadic ? rest.splice(0) : rest.shift();
      } else if (arg.type === "string" && this.args[key] === undefined) {
        if (arg.required === true && arg.default === undefined)
          throw new UsageError(
            `${command} needs --${key} <${valueHint(key, arg)}> (see ${command} --help)`,
          );
        this.args[key] = arg.repeatable ? [] : arg.default;
      }
    }
    // A word no argument takes is a mistake to say, not to drop: `validate -f a.yaml b.yaml`
    // would call b.yaml valid unread, `rollout abort api web` abort api alone.
    if (rest.length > 0) {
      const takes = argsOf(node)
        .filter(([, arg]) => arg.type === "positional")
        .map(([key]) => `<${key}>`);
      throw new UsageError(
        `unexpected argument "${rest[0]}" for ${command}: ${takes.length ? `it takes ${takes.join(" ")}` : "it takes no arguments"} (see ${command} --help)`,
      );
    }
  }
}

export async function readCommandLine(root: Group, argv: readonly string[]): Promise<Invocation> {
  const reading = new Reading(argv, root);
  let problem: UsageError | undefined;
  for (let i = 0; i < argv.length; ) {
    if (argv[i] === "--") {
      reading.positionals.push(...argv.slice(i + 1));
      break;
    }
    const at = reading.skipGlobals(i);
    if (at > i || at >= argv.length) {
      i = at;
      continue;
    }
    if (problem) {
      i++;
      continue;
    }
    try {
      i = await reading.word(i);
    } catch (error) {
      // The rest is read for its global flags only: their mistakes come first, as --json and
      // --no-color decide how this one is told.
      if (!(error instanceof UsageError)) throw error;
      problem = error;
      i++;
    }
  }
  if (!problem && !reading.help && !reading.version) {
    try {
      reading.complete();
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      problem = error;
    }
  }
  const { globals, node, names, help, version, args } = reading;
  return { globals, node, names, help, version, args, problem };
}
