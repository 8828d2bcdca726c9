// A rollout as Markdown, for a CI job summary (keystone rollout report) and an agent (the MCP
// resource): its steps with the figures each decision read, the verdict, and a link to the status
// page. Pure: status and history in, text out.
import type { RolloutStatus } from "../../../schemas/api-responses.ts";
import type { HistoryEntry } from "../../../schemas/history.ts";
import type { VersionFigures } from "../../../schemas/rollout-state.ts";
import { describePromotion, EVENT_NAMES, timeText, weightText } from "./event-words.ts";
import { cell } from "./markdown-text.ts";

const VERDICT: Record<string, string> = {
  promoted: "✅ promoted",
  rolledBack: "❌ rolled back",
  aborted: "⛔ aborted",
  progressing: "⏳ progressing",
  paused: "⏸️ paused",
};

function figures(f: VersionFigures | null | undefined): string[] {
  if (!f) return ["-", "-", "-"];
  const rate = f.errorRatePercent === null ? "-" : `${f.errorRatePercent.toFixed(2)}%`;
  return [String(f.requests), rate, f.p95 === null ? "-" : `${Math.round(f.p95)} ms`];
}

export function renderRolloutReport(
  service: string,
  status: RolloutStatus,
  history: HistoryEntry[],
  statusPage: string,
): string {
  const { state } = status;
  if (!state)
    return `### Keystone: ${service}\n\nNo rollout yet.\n\n[Status page](${statusPage})\n`;
  // The release the rollout shipped, as started; states stored before it was kept fall back to
  // what the candidate's track holds now.
  const release = state.release ?? status.tracks.find((t) => t.track === state.candidate)?.release;
  const events = history
    .filter((h) => h.detail?.kind === "rollout" && h.detail.rolloutId === state.id)
    .sort((a, b) => a.at.localeCompare(b.at));
  const lines = [
    `### Keystone: ${service} — ${VERDICT[state.phase] ?? state.phase}`,
    "",
    `${state.strategy} rollout of **${state.candidate}**${release ? ` (release ${cell(release)})` : ""}, step ${state.stepIndex + 1} of ${state.stepCount}, started ${timeText(state.startedAt)}${state.endedAt ? `, ended ${timeText(state.endedAt)}` : ""}.`,
    "",
    "| when (UTC) | event | step | weight | candidate requests | candidate errors | candidate p95 | baseline errors | baseline p95 | why |",
    "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |",
  ];
  for (const event of events) {
    if (event.detail?.kind !== "rollout") continue;
    const { verdict, step, weight } = event.detail;
    const [requests, errors, p95] = figures(verdict?.candidate);
    const [, baseErrors, baseP95] = figures(verdict?.baseline);
    lines.push(
      `| ${timeText(event.at)} | ${EVENT_NAMES[event.type]} | ${step} | ${weightText(weight, verdict?.fromWeight)} | ${requests} | ${errors} | ${p95} | ${baseErrors} | ${baseP95} | ${cell(verdict?.reason ?? event.reason ?? "")} |`,
    );
  }
  lines.push(
    "",
    `**Verdict:** ${VERDICT[state.phase] ?? state.phase}${state.lastVerdict ? ` — ${cell(state.lastVerdict.reason)}` : ""}`,
  );
  if (status.promotion) lines.push("", cell(describePromotion(status.promotion)));
  lines.push(
    "",
    `Split now: ${Object.entries(status.split)
      .map(([v, w]) => `${v} ${w}%`)
      .join(", ")}`,
    "",
    `[Status page](${statusPage})`,
  );
  return `${lines.join("\n")}\n`;
}
