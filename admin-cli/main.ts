// The keystone CLI: a root command of subcommands, and main(argv) that returns the exit code.
import { type CommandDef, defineCommand, runCommand } from "citty";
import { resolveInvocation } from "./command-line.ts";
import apply from "./commands/apply.ts";
import context from "./commands/context/index.ts";
import remove from "./commands/delete.ts";
import diff from "./commands/diff.ts";
import explain from "./commands/explain.ts";
import get from "./commands/get.ts";
import history from "./commands/history.ts";
import incident from "./commands/incident/index.ts";
import mirror from "./commands/mirror/index.ts";
import overrideToken from "./commands/override-token.ts";
import release from "./commands/release/index.ts";
import revert from "./commands/revert.ts";
import rollout from "./commands/rollout/index.ts";
import validate from "./commands/validate.ts";
import weights from "./commands/weights.ts";
import { describeFailure, EXIT, type Failure, QuietExit } from "./errors.ts";
import { extractGlobals, type GlobalFlags } from "./globals.ts";
import { renderHelp } from "./help.ts";
import { type Io, painter, processIo, wantsColor } from "./io.ts";
import { useContext } from "./session.ts";

export const VERSION = "0.1.0";

const subCommands = {
  validate,
  apply,
  diff,
  get,
  weights,
  explain,
  history,
  revert,
  delete: remove,
  "override-token": overrideToken,
  rollout,
  incident,
  context,
  release,
  mirror,
} as Record<string, CommandDef>;

export const root = defineCommand({
  meta: {
    name: "keystone",
    version: VERSION,
    description: "Drive Keystone Edge: config, weights, rollouts, releases, incidents",
  },
  subCommands,
});

export async function main(argv: string[], given: Io = processIo()): Promise<number> {
  // A command that printed its JSON result before failing (rollout wait: rolled back) keeps
  // stdout one JSON document: the error then goes to stderr only.
  let printed = false;
  const io: Io = {
    ...given,
    stdout: (text) => {
      printed = true;
      given.stdout(text);
    },
  };
  // Known before parsing, so even a usage error comes out as JSON or without colour as asked.
  let globals: GlobalFlags = {
    json: argv.includes("--json"),
    noColor: argv.includes("--no-color"),
  };
  try {
    const split = extractGlobals(argv);
    globals = split.globals;
    if (split.rest.length === 0 && argv.length === 0) {
      io.stderr(renderHelp([root], ["keystone"], painter(wantsColor(io, "stderr", false))));
      return EXIT.usage;
    }
    const invocation = resolveInvocation(root, split.rest);
    if (invocation.version) {
      io.stdout(`${VERSION}\n`);
      return EXIT.ok;
    }
    if (invocation.help) {
      const paint = painter(!globals.json && wantsColor(io, "stdout", globals.noColor));
      io.stdout(renderHelp(invocation.chain, invocation.names, paint));
      return EXIT.ok;
    }
    useContext(io, globals);
    await runCommand(root, { rawArgs: split.rest });
    return EXIT.ok;
  } catch (error) {
    if (error instanceof QuietExit) return error.exitCode;
    const failure = describeFailure(error);
    report(io, globals.json && !printed ? globals : { ...globals, json: false }, failure);
    return failure.exitCode;
  }
}

/** One error on stderr (with its details and problems); with --json, also as JSON on stdout. */
function report(io: Io, globals: GlobalFlags, failure: Failure): void {
  const paint = painter(wantsColor(io, "stderr", globals.noColor));
  const lines = [
    `${paint("red", "error:")} ${failure.message}`,
    ...failure.problems.map((p) => {
      const where = [failure.source, p.line, p.column].filter((x) => x != null).join(":");
      return `  ${where ? paint("dim", `${where}: `) : ""}${p.path ? `${p.path}: ` : ""}${p.message}`;
    }),
    ...failure.details.map((d) => `  ${d}`),
  ];
  io.stderr(`${lines.join("\n")}\n`);
  if (globals.json) {
    const { exitCode, message, details, problems } = failure;
    const error = {
      exitCode,
      message,
      ...(details.length ? { details } : {}),
      ...(problems.length ? { problems } : {}),
    };
    io.stdout(`${JSON.stringify({ error }, null, 2)}\n`);
  }
}
