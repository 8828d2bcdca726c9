// The keystone CLI: the root group of commands (each loaded when named), and main(argv) that
// reads the command line once, runs the command with its session and returns the exit code.
import { type ArgDefs, type Args, defineGroup, isGroup, lazy } from "./command.ts";
import { readCommandLine } from "./command-line.ts";
import { describeFailure, EXIT, type Failure, QuietExit } from "./errors.ts";
import type { GlobalFlags } from "./globals.ts";
import { renderHelp } from "./help.ts";
import { type Io, painter, processIo, wantsColor } from "./io.ts";
import { Session } from "./session.ts";

export const VERSION = "0.1.0";

export const root = defineGroup({
  description: "Drive Keystone Edge: config, weights, rollouts, releases, incidents",
  subcommands: {
    validate: lazy(() => import("./commands/validate.ts")),
    apply: lazy(() => import("./commands/apply.ts")),
    diff: lazy(() => import("./commands/diff.ts")),
    get: lazy(() => import("./commands/get.ts")),
    weights: lazy(() => import("./commands/weights.ts")),
    explain: lazy(() => import("./commands/explain.ts")),
    history: lazy(() => import("./commands/history.ts")),
    revert: lazy(() => import("./commands/revert.ts")),
    delete: lazy(() => import("./commands/delete.ts")),
    "override-token": lazy(() => import("./commands/override-token.ts")),
    rollout: lazy(() => import("./commands/rollout/index.ts")),
    incident: lazy(() => import("./commands/incident/index.ts")),
    context: lazy(() => import("./commands/context/index.ts")),
    release: lazy(() => import("./commands/release/index.ts")),
    mirror: lazy(() => import("./commands/mirror/index.ts")),
    analysis: lazy(() => import("./commands/analysis/index.ts")),
  },
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
  // Known before reading, so even a mistake in a global flag comes out as JSON or without colour
  // as asked.
  let globals: GlobalFlags = {
    json: argv.includes("--json"),
    noColor: argv.includes("--no-color"),
  };
  try {
    if (argv.length === 0) {
      io.stderr(await renderHelp(root, ["keystone"], painter(wantsColor(io, "stderr", false))));
      return EXIT.usage;
    }
    const line = await readCommandLine(root, argv);
    globals = line.globals;
    if (line.problem) throw line.problem;
    if (line.version) {
      io.stdout(`${VERSION}\n`);
      return EXIT.ok;
    }
    if (line.help || isGroup(line.node)) {
      const paint = painter(!globals.json && wantsColor(io, "stdout", globals.noColor));
      io.stdout(await renderHelp(line.node, line.names, paint));
      return EXIT.ok;
    }
    // Read against this command's own declarations: each value is of its declared kind.
    await line.node.run(line.args as Args<ArgDefs>, new Session(io, globals));
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
