// The keystone CLI: a root command of subcommands, and main(argv) that returns the exit code.
import { type CommandDef, defineCommand, renderUsage, runCommand } from "citty";
import apply from "./commands/apply.ts";
import remove from "./commands/delete.ts";
import diff from "./commands/diff.ts";
import explain from "./commands/explain.ts";
import get from "./commands/get.ts";
import history from "./commands/history.ts";
import overrideToken from "./commands/override-token.ts";
import revert from "./commands/revert.ts";
import rollout from "./commands/rollout/index.ts";
import validate from "./commands/validate.ts";
import weights from "./commands/weights.ts";
import { describeFailure, EXIT } from "./errors.ts";
import { type Io, processIo } from "./io.ts";
import { useIo } from "./session.ts";

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
} as Record<string, CommandDef>;

export const root = defineCommand({
  meta: {
    name: "keystone",
    version: "0.1.0",
    description: "Drive Keystone Edge: config, weights, rollouts",
  },
  subCommands,
});

/** The command a help request is about: the deepest subcommand named in argv. */
function commandFor(argv: string[]): { cmd: CommandDef; parent?: CommandDef } {
  let cmd: CommandDef = root;
  let parent: CommandDef | undefined;
  for (const word of argv.filter((a) => !a.startsWith("-"))) {
    const next = (cmd.subCommands as Record<string, CommandDef> | undefined)?.[word];
    if (!next) break;
    parent = cmd;
    cmd = next;
  }
  return parent ? { cmd, parent } : { cmd };
}

export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  useIo(io);
  if (argv.length === 0 || argv.includes("--help") || argv.includes("-h")) {
    const { cmd, parent } = commandFor(argv);
    io.stdout(`${await renderUsage(cmd, parent)}\n`);
    return argv.length === 0 ? EXIT.usage : EXIT.ok;
  }
  if (argv[0] === "--version") {
    io.stdout("0.1.0\n");
    return EXIT.ok;
  }
  try {
    await runCommand(root, { rawArgs: argv });
    return EXIT.ok;
  } catch (error) {
    const { exitCode, lines } = describeFailure(error);
    io.stderr(`error: ${lines.join("\n")}\n`);
    if (argv.includes("--json")) {
      io.stdout(
        `${JSON.stringify({ error: { exitCode, message: lines[0], details: lines.slice(1) } }, null, 2)}\n`,
      );
    }
    return exitCode;
  }
}
