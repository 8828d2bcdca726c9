// How `mirror report` shows shadow traffic to people: totals, the busiest paths, and the kept
// sample diffs (values already redacted and truncated by the Worker). Pure: report in, lines out.
import type { MirrorReport } from "../schemas/mirror.ts";
import { timeText } from "../worker/core/rollout/event-words.ts";
import { type Output, table } from "./io.ts";

const count = (n: number) => n.toLocaleString("en-US");
const shown = (value: string | null) => (value === null ? "(absent)" : value);

export function renderMirrorReport(out: Output, report: MirrorReport, minutes: number): string[] {
  const { mirror, totals } = report;
  if (!mirror) return [`${report.service}: no mirror configured (add mirror: to its config)`];
  const share = totals.mismatchPercent === null ? "" : ` (${totals.mismatchPercent.toFixed(2)} %)`;
  const lines = [
    out.paint(
      "bold",
      `${report.service}: mirroring ${mirror.percent}% of requests to ${mirror.version} — last ${minutes} minutes`,
    ),
    `compared ${count(totals.compared)} · differing ${count(totals.mismatched)}${share} · mirrored origin did not answer ${count(totals.failed)}`,
  ];
  if (report.paths.length > 0)
    lines.push(
      "",
      table(
        ["PATH", "COMPARED", "DIFFERING"],
        report.paths.map((p) => [p.path, count(p.compared), count(p.mismatched)]),
      ),
    );
  if (report.samples.length > 0) lines.push("", "Sample diffs, newest first:");
  for (const sample of report.samples) {
    lines.push(
      `${timeText(sample.at)}  ${sample.method} ${sample.path}  ${sample.primaryVersion} ${sample.primaryStatus} vs ${mirror.version} ${sample.mirrorStatus}`,
      ...sample.differences.map(
        (d) =>
          `  ${out.paint("yellow", d.where)}: ${shown(d.primary)} ${out.paint("dim", "→")} ${shown(d.mirror)}`,
      ),
    );
  }
  return lines;
}
