// How a command is declared: what it does, its arguments and flags, examples, and run(args,
// session). The command line is read against these once (command-line.ts) and help is generated
// from them (help.ts). A group names its subcommands, each loaded only when it is named.
import type { Session } from "./session.ts";

export interface PositionalArg {
  type: "positional";
  description: string;
  /** Required unless false. */
  required?: boolean;
  /** Takes every remaining word (the last positional only). */
  variadic?: boolean;
}

export interface StringFlag {
  type: "string";
  description: string;
  /** A one-letter short form: -f. */
  alias?: string;
  required?: boolean;
  default?: string;
  /** What help and errors call the value (default: the flag's name). */
  valueHint?: string;
  /** Given more than once, every value is kept (-H a -H b). */
  repeatable?: boolean;
}

export interface BooleanFlag {
  type: "boolean";
  description: string;
}

export type ArgDef = PositionalArg | StringFlag | BooleanFlag;
export type ArgDefs = Readonly<Record<string, ArgDef>>;

type ArgValue<A> = A extends BooleanFlag
  ? boolean | undefined
  : A extends { variadic: true } | { repeatable: true }
    ? string[]
    : A extends { type: "positional"; required: false }
      ? string | undefined
      : A extends { type: "positional" } | { default: string } | { required: true }
        ? string
        : string | undefined;

/** What run() gets: each declared argument's value, by its name. */
export type Args<D extends ArgDefs> = { -readonly [K in keyof D]: ArgValue<D[K]> };

export interface Command<D extends ArgDefs = ArgDefs> {
  description: string;
  args: D;
  /** Command lines shown under Examples in its help. */
  examples: readonly string[];
  run(args: Args<D>, session: Session): Promise<void> | void;
}

export interface Group {
  description: string;
  /** Each subcommand by the word that names it, loaded when that word is read. */
  subcommands: Readonly<Record<string, () => Promise<Command | Group>>>;
}

export function defineCommand<const D extends ArgDefs>(command: Command<D>): Command<D> {
  return command;
}

export function defineGroup(group: Group): Group {
  return group;
}

/** A subcommand loaded from its module's default export when it is named. */
export function lazy(
  load: () => Promise<{ default: Command | Group }>,
): () => Promise<Command | Group> {
  return () => load().then((module) => module.default);
}

export function isGroup(node: Command | Group): node is Group {
  return "subcommands" in node;
}
