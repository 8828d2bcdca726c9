// Help text generated from the declared commands and flags, with the full `keystone …` path in
// every usage line and the global flags listed; coloured only through the painter it is given.
import type { ArgDef, CommandDef } from "citty";
import { argsOf, subCommandsOf, valueHint } from "./command-line.ts";
import { GLOBAL_FLAGS } from "./globals.ts";
import type { Paint } from "./io.ts";

const EXIT_CODES =
  "0 ok · 1 error · 2 usage · 3 invalid config · 4 conflict · 5 auth · 6 changes pending · " +
  "7 not allowed in this phase · 10 rolled back/aborted · 11 timeout";

function describe(cmd: CommandDef): string {
  return String((cmd.meta as { description?: string } | undefined)?.description ?? "");
}

function columns(rows: [string, string][], paint: Paint): string[] {
  const width = Math.max(...rows.map(([left]) => left.length));
  return rows.map(([left, right]) => `  ${paint("cyan", left.padEnd(width))}  ${right}`.trimEnd());
}

function flagLabel(key: string, arg: ArgDef): string {
  const aliases = ((arg as { alias?: string | string[] }).alias ?? []) as string | string[];
  const short = (Array.isArray(aliases) ? aliases : [aliases]).map((a) => `-${a}, `).join("");
  return `${short}--${key}${arg.type === "string" ? ` <${valueHint(key, arg)}>` : ""}`;
}

function flagText(arg: ArgDef): string {
  const extra = [
    arg.required === true && arg.default === undefined ? "required" : "",
    arg.default !== undefined ? `default ${String(arg.default)}` : "",
  ].filter(Boolean);
  return `${arg.description ?? ""}${extra.length ? ` (${extra.join("; ")})` : ""}`;
}

function globalRows(): [string, string][] {
  const rows: [string, string][] = Object.entries(GLOBAL_FLAGS).map(([name, spec]) => [
    `--${name}${"hint" in spec ? ` <${spec.hint}>` : ""}`,
    spec.description,
  ]);
  return [...rows, ["-h, --help", "show help for a command"]];
}

export function renderHelp(chain: CommandDef[], names: string[], paint: Paint): string {
  const cmd = chain.at(-1)!;
  const command = names.join(" ");
  const subCommands = Object.entries(subCommandsOf(cmd));
  const args = argsOf(cmd);
  const positionals = args.filter(([, a]) => a.type === "positional");
  const flags = args.filter(([, a]) => a.type !== "positional");
  const usage = [
    command,
    subCommands.length ? "<command>" : "",
    ...positionals.map(([key, a]) => (a.required === false ? `[${key}]` : `<${key}>`)),
    "[flags]",
  ].filter(Boolean);
  const lines = [`${paint("bold", command)} — ${describe(cmd)}`, "", `Usage: ${usage.join(" ")}`];
  const section = (title: string, rows: [string, string][]) => {
    if (rows.length > 0) lines.push("", paint("bold", title), ...columns(rows, paint));
  };
  section(
    "Commands:",
    subCommands.map(([name, sub]) => [name, describe(sub)]),
  );
  section(
    "Arguments:",
    positionals.map(([key, a]) => [`<${key}>`, a.description ?? ""]),
  );
  section(
    "Flags:",
    flags.map(([key, a]) => [flagLabel(key, a), flagText(a)]),
  );
  section("Global flags (before or after the command):", globalRows());
  if (chain.length === 1) {
    lines.push("", paint("bold", "Exit codes:"), `  ${EXIT_CODES}`);
  }
  if (subCommands.length) lines.push("", `Run ${command} <command> --help for its flags.`);
  return `${lines.join("\n")}\n`;
}
