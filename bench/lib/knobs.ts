// The benchmark's settings from the environment, refused with the variable named when they make no
// sense, and its progress log (stderr, so stdout holds only the report).

/** A positive number from `BENCH_…`, or the default. */
export function knob(name: string, fallback: number): number {
  const raw = process.env[name];
  const value = raw === undefined || raw === "" ? fallback : Number(raw);
  if (!Number.isFinite(value) || value <= 0)
    throw new Error(`${name} must be a positive number, got "${raw}"`);
  return value;
}

export function log(line: string): void {
  process.stderr.write(`${line}\n`);
}
