// Where the CLI writes, and how: JSON-only stdout with --json, colour only on a terminal that
// wants it (no ANSI when piped, with --no-color or NO_COLOR), tables through cli-table3; on a
// terminal, no control character from what was answered (terminal-text.ts).
import { styleText } from "node:util";
import Table from "cli-table3";
import { streamWriter } from "./terminal-text.ts";

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stdout is a terminal (colour and live redraw default on). */
  isTty: boolean;
  /** Whether stderr is a terminal; when absent, taken to be the same as stdout. */
  errIsTty?: boolean;
  /** The terminal's width, when stdout is one (live redraw counts wrapped rows). */
  columns?: number;
  /** Calls `stop` on Ctrl-C (SIGINT) until the returned function is called. */
  onInterrupt?: (stop: () => void) => () => void;
  /**
   * Writes one of the CLI's own cursor or screen sequences to stdout as it is (a live view's
   * redraw): `stdout` on a terminal shows every control character it is given as a symbol.
   */
  control?: (sequence: string) => void;
}

export function processIo(): Io {
  const toStdout = (text: string) => void process.stdout.write(text);
  return {
    stdout: streamWriter(toStdout, Boolean(process.stdout.isTTY)),
    stderr: streamWriter((text) => void process.stderr.write(text), Boolean(process.stderr.isTTY)),
    control: toStdout,
    env: process.env,
    cwd: process.cwd(),
    isTty: Boolean(process.stdout.isTTY),
    errIsTty: Boolean(process.stderr.isTTY),
    ...(process.stdout.columns ? { columns: process.stdout.columns } : {}),
    onInterrupt: (stop) => {
      process.once("SIGINT", stop);
      return () => process.off("SIGINT", stop);
    },
  };
}

export type Style = "red" | "green" | "yellow" | "blue" | "cyan" | "dim" | "bold";

/** A painter for one stream: identity when colour is off, so no escape ever reaches a pipe. */
export type Paint = (style: Style, text: string) => string;

/** Whether a stream gets colour: a terminal, no --no-color, no NO_COLOR, not TERM=dumb. */
export function wantsColor(io: Io, stream: "stdout" | "stderr", noColorFlag: boolean): boolean {
  const tty = stream === "stdout" ? io.isTty : (io.errIsTty ?? io.isTty);
  return tty && !noColorFlag && !io.env.NO_COLOR && io.env.TERM !== "dumb";
}

export function painter(color: boolean): Paint {
  return color ? (style, text) => styleText(style, text, { validateStream: false }) : (_, t) => t;
}

export interface Output {
  json: boolean;
  color: boolean;
  /** A line for people; suppressed in --json mode so stdout stays machine-readable. */
  line(text?: string): void;
  /** The machine result: printed in --json mode only. */
  result(value: unknown): void;
  /** Progress and warnings: stderr, so they never mix into JSON. */
  note(text: string): void;
  paint: Paint;
  raw(text: string): void;
  /** One of the CLI's own cursor or screen sequences (live views), never data. */
  control(sequence: string): void;
}

export function createOutput(io: Io, options: { json: boolean; noColor: boolean }): Output {
  const color = !options.json && wantsColor(io, "stdout", options.noColor);
  return {
    json: options.json,
    color,
    line: (text = "") => {
      if (!options.json) io.stdout(`${text}\n`);
    },
    result: (value) => {
      if (options.json) io.stdout(`${JSON.stringify(value, null, 2)}\n`);
    },
    note: (text) => io.stderr(`${text}\n`),
    paint: painter(color),
    raw: (text) => io.stdout(text),
    control: (sequence) => (io.control ?? io.stdout)(sequence),
  };
}

const NO_BORDERS = {
  top: "",
  "top-mid": "",
  "top-left": "",
  "top-right": "",
  bottom: "",
  "bottom-mid": "",
  "bottom-left": "",
  "bottom-right": "",
  left: "",
  "left-mid": "",
  mid: "",
  "mid-mid": "",
  right: "",
  "right-mid": "",
  middle: "  ",
};

/** Aligned columns for people, kubectl-style: a header row, no borders. */
export function table(headers: string[], rows: string[][]): string {
  const grid = new Table({
    head: headers,
    chars: NO_BORDERS,
    style: { head: [], border: [], "padding-left": 0, "padding-right": 0, compact: true },
  });
  grid.push(...rows);
  return grid
    .toString()
    .split("\n")
    .map((line) => line.trimEnd())
    .join("\n");
}
