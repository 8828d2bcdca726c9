// A line diff of two texts (jsdiff), shown unified-style with context: removals before additions.
import { diffLines as jsDiffLines } from "diff";

export type DiffLine = { kind: "same" | "add" | "remove"; text: string };

export function diffLines(before: string, after: string): DiffLine[] {
  const out: DiffLine[] = [];
  for (const change of jsDiffLines(before, after)) {
    const kind = change.added ? "add" : change.removed ? "remove" : "same";
    const lines = change.value.endsWith("\n") ? change.value.slice(0, -1) : change.value;
    for (const text of lines.split("\n")) out.push({ kind, text });
  }
  return out;
}

/** Unchanged lines shown around a change, as `diff -u` shows them. */
const CONTEXT_LINES = 3;

/** Only changed lines and CONTEXT_LINES lines around them; "…" marks what is left out. */
export function withContext(lines: DiffLine[]): (DiffLine | "gap")[] {
  const keep = lines.map(() => false);
  lines.forEach((line, i) => {
    if (line.kind === "same") return;
    const from = Math.max(0, i - CONTEXT_LINES);
    const to = Math.min(lines.length - 1, i + CONTEXT_LINES);
    for (let k = from; k <= to; k++) keep[k] = true;
  });
  const out: (DiffLine | "gap")[] = [];
  lines.forEach((line, i) => {
    if (keep[i]) out.push(line);
    else if (out.at(-1) !== "gap") out.push("gap");
  });
  return out;
}
