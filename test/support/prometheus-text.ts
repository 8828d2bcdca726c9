// Reads the Prometheus text format back into samples, so tests assert on values, not on layout.

export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, raw] of (match[2] ?? "").matchAll(LABEL))
      labels[key!] = raw!.replace(/\\n/g, "\n").replace(/\\"/g, '"').replace(/\\\\/g, "\\");
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  return samples;
}

/** Samples of one metric whose labels include `where`. */
export function select(samples: Sample[], name: string, where: Record<string, string> = {}) {
  return samples.filter(
    (s) => s.name === name && Object.entries(where).every(([k, v]) => s.labels[k] === v),
  );
}

/** The single value of one metric with these labels; throws when there is not exactly one. */
export function sampleValue(samples: Sample[], name: string, where: Record<string, string> = {}) {
  const found = select(samples, name, where);
  if (found.length !== 1)
    throw new Error(`${found.length} samples of ${name} ${JSON.stringify(where)}, expected 1`);
  return found[0]!.value;
}
