// Where the CLI writes, and how: JSON-only stdout with --json, colour only when wanted.

export interface Io {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Whether stdout is a terminal (colour and live redraw default on). */
  isTty: boolean;
}

export function processIo(): Io {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    env: process.env,
    cwd: process.cwd(),
    isTty: Boolean(process.stdout.isTTY),
  };
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
  paint(style: keyof typeof STYLES, text: string): string;
  raw(text: string): void;
}

const STYLES = { red: 31, green: 32, yellow: 33, blue: 34, cyan: 36, dim: 2, bold: 1 } as const;

export function createOutput(
  io: Io,
  options: { json: boolean; color: boolean | undefined },
): Output {
  const color = !options.json && (options.color ?? (io.isTty && !io.env.NO_COLOR));
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
    paint: (style, text) => (color ? `\u001b[${STYLES[style]}m${text}\u001b[0m` : text),
    raw: (text) => io.stdout(text),
  };
}

/** Aligned columns for people: every column as wide as its widest cell. */
export function table(headers: string[], rows: string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const format = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join("  ")
      .trimEnd();
  return [format(headers), ...rows.map(format)].join("\n");
}
