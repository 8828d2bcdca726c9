// Checks across the services of a release file: each named once, and every start condition naming
// another service of the release without a cycle (a cycle would never start). Written for raw
// input, so they run even where a shape check failed and every problem is reported at once.
import { type CrossIssue, duplicates, unknownName } from "./cross-checks.ts";

type Raw = Record<string, unknown>;

const isRecord = (value: unknown): value is Raw =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const text = (value: unknown): string | undefined =>
  typeof value === "string" ? value : undefined;

export function releaseCrossIssues(file: unknown): CrossIssue[] {
  if (!isRecord(file) || !Array.isArray(file.services)) return [];
  const entries: unknown[] = file.services;
  const names = entries.map((s) => (isRecord(s) ? text(s.service) : undefined));
  const issues = duplicates(names, ["services"], "service", "service");
  const known = names.filter((n): n is string => n !== undefined);
  /** Which service each one waits for. */
  const waitsFor = new Map<string, string>();
  entries.forEach((entry, i) => {
    const name = names[i];
    const after = isRecord(entry) && isRecord(entry.after) ? text(entry.after.service) : undefined;
    if (after === undefined) return;
    const path = ["services", i, "after", "service"];
    if (after === name)
      issues.push({ path, message: `"${after}" cannot wait for itself: name another service` });
    else if (!known.includes(after))
      issues.push({ path, message: `${unknownName("service", after, known)} of this release` });
    else if (name !== undefined && !waitsFor.has(name)) waitsFor.set(name, after);
  });
  entries.forEach((_, i) => {
    const cycle = cycleFrom(names[i], waitsFor);
    // Reported once, at the cycle's first service in the file.
    if (cycle && names.findIndex((n) => n !== undefined && cycle.includes(n)) === i)
      issues.push({
        path: ["services", i, "after", "service"],
        message: `the start conditions wait in a circle (${[...cycle, cycle[0]].join(" → ")}): none of them would ever start`,
      });
  });
  return issues;
}

/** The services of the cycle `start` is on, in waiting order; undefined when it is on none. */
function cycleFrom(start: string | undefined, waitsFor: Map<string, string>): string[] | undefined {
  if (start === undefined) return undefined;
  const path: string[] = [];
  for (let at: string | undefined = start; at !== undefined; at = waitsFor.get(at)) {
    const seen = path.indexOf(at);
    if (seen >= 0) return seen === 0 ? path : undefined;
    path.push(at);
  }
  return undefined;
}
