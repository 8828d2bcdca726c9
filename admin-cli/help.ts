// Help text generated from the declared commands, flags and examples, with the full `keystone …`
// path in every usage line and the global flags listed; coloured only through the painter it is
// given.
import type { ArgDef, Command, Group } from "./command.ts";
import { isGroup } from "./command.ts";
import { argsOf, valueHint } from "./command-line.ts";
import { GLOBAL_FLAGS } from "./globals.ts";
import type { Paint } from "./io.ts";

const EXIT_CODES =
  "0 ok · 1 error · 2 usage · 3 invalid config · 4 conflict · 5 auth · 6 changes pending · " +
  "7 not allowed in this phase · 8 behind what serves (refused) · 10 rolled back/aborted · 11 timeout";

function columns(rows: [string, string][], paint: Paint): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${paint("cyan", left.padEnd(width))}  ${right}`.trimEnd());
}

function flagLabel(key: string, arg: ArgDef): string {
  if (arg.type !== "string") return `--${key}`;
  return `${arg.alias ? `-${arg.alias}, ` : ""}--${key} <${valueHint(key, arg)}>`;
}

function flagText(arg: ArgDef): string {
  const extra =
    arg.type !== "string"
      ? []
      : [
          arg.required === true && arg.default === undefined ? "required" : "",
          arg.default !== undefined ? `default ${arg.default}` : "",
        ].filter(Boolean);
  return `${arg.description}${extra.length ? ` (${extra.join("; ")})` : ""}`;
}

/** `<service>`, `<split...>`; in the usage line an optional one is `[service]`. */
function positionalLabel(key: string, arg: ArgDef, inUsage = false): string {
  const name = arg.type === "positional" && arg.variadic ? `${key}...` : key;
  const optional = inUsage && arg.type === "positional" && arg.required === false;
  return optional ? `[${name}]` : `<${name}>`;
}

function globalRows(): [string, string][] {
  const rows: [string, string][] = Object.entries(GLOBAL_FLAGS).map(([name, spec]) => [
    `--${name}${"hint" in spec ? ` <${spec.hint}>` : ""}`,
    spec.description,
  ]);
  return [...rows, ["-h, --help", "show help for a command"]];
}

/** Help for a command or group; a group's subcommands are loaded for their descriptions. */
export async function renderHelp(
  node: Command | Group,
  names: string[],
  paint: Paint,
): Promise<string> {
  const command = names.join(" ");
  const subcommands = isGroup(node)
    ? await Promise.all(
        Object.entries(node.subcommands).map(
          async ([name, load]) => [name, (await load()).description] as [string, string],
        ),
      )
    : [];
  const args = argsOf(node);
  const positionals = args.filter(([, a]) => a.type === "positional");
  const flags = args.filter(([, a]) => a.type !== "positional");
  const usage = [
    command,
    subcommands.length ? "<command>" : "",
    ...positionals.map(([key, a]) => positionalLabel(key, a, true)),
    "[flags]",
  ].filter(Boolean);
  const lines = [
    `${paint("bold", command)} — ${node.description}`,
    "",
    `Usage: ${usage.join(" ")}`,
  ];
  const section = (title: string, rows: [string, string][]) => {
    if (rows.length > 0) lines.push("", paint("bold", title), ...columns(rows, paint));
  };
  section("Commands:", subcommands);
  section(
    "Arguments:",
    positionals.map(([key, a]) => [positionalLabel(key, a), a.description]),
  );
  section(
    "Flags:",
    flags.map(([key, a]) => [flagLabel(key, a), flagText(a)]),
  );
  const examples = isGroup(node) ? [] : node.examples;
  if (examples.length > 0)
    lines.push("", paint("bold", "Examples:"), ...examples.map((e) => `  ${e}`));
  section("Global flags (before or after the command):", globalRows());
  if (names.length === 1) {
    lines.push("", paint("bold", "Exit codes:"), `  ${EXIT_CODES}`);
  }
  if (subcommands.length) lines.push("", `Run ${command} <command> --help for its flags.`);
  return `${lines.join("\n")}\n`;
}
