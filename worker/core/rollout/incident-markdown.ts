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
import { type CheckRow, judgeCheckRows, metricCheckRows } from "./judged-check-rows.ts";
import { cell } from "./markdown-text.ts";
import { baselineText, CHECK_NAMES, formatCheckValue } from "./threshold-checks.ts";

function checksTable(checks: ThresholdCheck[], judged: CheckRow[]): string[] {
  return [
    "| check | measured | threshold | baseline |",
    "| --- | --- | --- | --- |",
    ...checks.map(
      (c) =>
        `| ${CHECK_NAMES[c.check]} | **${formatCheckValue(c.check, c.measured)}** | ${formatCheckValue(c.check, c.threshold)} | ${baselineText(c)} |`,
    ),
    ...judged.map(
      (r) =>
        `| ${cell(r.check)} | **${cell(r.measured)}** | ${cell(r.threshold)} | ${cell(r.baseline)} |`,
    ),
  ];
}

/** Every metric of the deciding tick: its query (secrets are never in it), value and result. */
function metricsTable(rows: CheckRow[]): string[] {
  return [
    "| metric and query | value | condition | baseline | result |",
    "| --- | --- | --- | --- | --- |",
    ...rows.map(
      (r) =>
        `| ${cell(r.check)} | ${cell(r.measured)} | ${cell(r.threshold)} | ${cell(r.baseline)} | ${cell(r.result)} |`,
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
  const judge = incident.failedJudgeChecks;
  const judged = judge ? judgeCheckRows(judge.checks, judge.confidencePercent) : [];
  const failed = incident.failedChecks.length + judged.length;
  if (failed > 0)
    lines.push(
      `## Failed check${failed > 1 ? "s" : ""}`,
      "",
      ...checksTable(incident.failedChecks, judged),
      "",
    );
  if (incident.metrics?.length)
    lines.push("## Metrics", "", ...metricsTable(metricCheckRows(incident.metrics)), "");
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
