// An incident as Markdown a person can paste into a postmortem (keystone incident show, the MCP
// incident resource): title, summary, facts, the failed checks with their numbers, the timeline
// as a table, and where to look further. Pure.
import type { IncidentResponse } from "../../../schemas/api-responses.ts";
import type { ThresholdCheck } from "../../../schemas/rollout-state.ts";
import {
  actorText,
  EVENT_NAMES,
  figuresText,
  lastRequestText,
  timeText,
  weightText,
} from "./event-words.ts";
import { baselineText, CHECK_NAMES, formatCheckValue } from "./threshold-checks.ts";

/** A table cell: pipes escaped, one line, no HTML from stored strings. */
export function cell(text: string): string {
  return text
    .replace(/\|/g, "\\|")
    .replace(/</g, "&lt;")
    .replace(/\s*\n\s*/g, " ");
}

function checksTable(checks: ThresholdCheck[]): string[] {
  return [
    "| check | measured | threshold | baseline |",
    "| --- | --- | --- | --- |",
    ...checks.map(
      (c) =>
        `| ${CHECK_NAMES[c.check]} | **${formatCheckValue(c.check, c.measured)}** | ${formatCheckValue(c.check, c.threshold)} | ${baselineText(c)} |`,
    ),
  ];
}

export interface SeeMore {
  /** The admin API the CLI talked to: the status page is served there too. */
  baseUrl: string;
}

export function incidentMarkdown(incident: IncidentResponse, more: SeeMore): string {
  const { service, id } = incident;
  const title = incident.outcome === "aborted" ? "rollout aborted" : "rollout rolled back";
  const who = actorText(incident.actor);
  const candidate = `${incident.candidate.track} ${incident.release ?? incident.candidate.origin}`;
  const baseline = `${incident.baseline.track}${incident.baseline.release ? ` ${incident.baseline.release}` : ""}`;
  const lines = [
    `# Incident ${id} of ${service}: ${title}`,
    "",
    `**Summary:** ${cell(incident.summary)}`,
    "",
    "| | |",
    "| --- | --- |",
    `| Service | ${cell(service)} |`,
    `| Release | ${cell(candidate)} (origin ${cell(incident.candidate.origin)}) against ${cell(baseline)} |`,
    `| Rollout | ${incident.strategy}, ended at step ${incident.step} of ${incident.stepCount} with ${incident.weight}% of traffic · id \`${incident.rolloutId}\` |`,
    `| Started | ${timeText(incident.startedAt)} |`,
    `| Decided | ${timeText(incident.at)} by ${cell(who)} |`,
    `| Why | ${cell(incident.reason)} |`,
    `| Last request to the candidate | ${lastRequestText(incident.lastCandidateRequest, timeText)} |`,
    "",
  ];
  if (incident.failedChecks.length > 0)
    lines.push(
      `## Failed check${incident.failedChecks.length > 1 ? "s" : ""}`,
      "",
      ...checksTable(incident.failedChecks),
      "",
    );
  lines.push(
    "## Timeline (UTC)",
    "",
    "| time | event | step | weight | by | candidate | baseline | why |",
    "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ...incident.timeline.map((m) =>
      [
        "",
        timeText(m.at),
        EVENT_NAMES[m.event],
        String(m.step),
        weightText(m.weight, m.fromWeight),
        cell(m.by ?? "–"),
        figuresText(m.candidate),
        figuresText(m.baseline),
        cell(m.reason ?? ""),
        "",
      ]
        .join(" | ")
        .trim(),
    ),
    "",
    "## See more",
    "",
    `- Status page: ${more.baseUrl}/_keystone/ui/services/${encodeURIComponent(service)}/incidents/${id}`,
    `- \`keystone incident show ${service} ${id} -o json\`: every figure of this incident`,
    `- \`keystone history ${service}\`: every revision and event`,
    `- \`keystone rollout status ${service}\`: what the service serves now`,
  );
  return `${lines.join("\n")}\n`;
}
