// A notification as a Slack incoming-webhook message (Mattermost reads the same): `text` for
// notifications and clients without blocks, `blocks` for Slack. Pure; typed with Slack's own
// Block Kit types so a wrong block does not compile. Limits kept: header 150, text 3000, field
// 2000 characters, at most 10 fields and 10 context elements, far fewer than 50 blocks.
import type { ContextBlock, KnownBlock, MrkdwnElement, SectionBlock } from "@slack/types";
import type { Effect } from "../../../schemas/ledger.ts";
import type { VersionFigures } from "../../../schemas/rollout-state.ts";
import { figuresText, timeText } from "../rollout/event-words.ts";
import { describeCheck } from "../rollout/threshold-checks.ts";

export type Notification = Extract<Effect, { kind: "notify" }>;

export interface SlackMessage {
  text: string;
  blocks: KnownBlock[];
}

/** Where a person can look further; null when the admin hostname is not known. */
export interface NotificationLinks {
  statusPage: string | null;
  incident: string | null;
}

const TITLES: Record<Notification["event"], string> = {
  "config.applied": "config applied",
  "rollout.started": "rollout started",
  "rollout.advanced": "rollout advanced",
  "rollout.paused": "rollout paused",
  "rollout.resumed": "rollout resumed",
  "rollout.promoted": "rollout promoted",
  "rollout.rolledBack": "rollout rolled back",
  "rollout.aborted": "rollout aborted",
  "rollout.deadlineExceeded": "rollout past its progress deadline",
  "rollout.noTraffic": "rollout held with no eligible traffic",
};

const MARKS: Partial<Record<Notification["event"], string>> = {
  "rollout.promoted": "✅",
  "rollout.rolledBack": "🔴",
  "rollout.aborted": "🛑",
  "rollout.paused": "⏸️",
  "rollout.deadlineExceeded": "⏰",
  "rollout.noTraffic": "🕳️",
};

/** Slack's mrkdwn treats &, < and > as control characters: escaped, user strings stay text. */
function escapeMrkdwn(text: string): string {
  return text.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

/** Cut to Slack's limit for the element, with an ellipsis when something was cut. */
function clip(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

const mrkdwn = (text: string, max = 3000): MrkdwnElement => ({
  type: "mrkdwn",
  text: clip(text, max),
});

function figures(name: string, f: VersionFigures | null | undefined): string | null {
  return f ? `${name}: ${figuresText(f)}` : null;
}

export function slackMessage(n: Notification, links: NotificationLinks): SlackMessage {
  const title = `${MARKS[n.event] ?? "ℹ️"} ${n.service}: ${TITLES[n.event]}`;
  const incident = n.incident;
  const headline = incident?.summary ?? n.text;
  const link = links.incident ?? links.statusPage;
  const linkText = incident ? `incident ${incident.id} on the status page` : "the status page";
  const blocks: KnownBlock[] = [
    { type: "header", text: { type: "plain_text", text: clip(title, 150), emoji: true } },
    { type: "section", text: mrkdwn(escapeMrkdwn(headline)) },
  ];
  const detail = n.detail?.kind === "rollout" ? n.detail : null;
  const fields: MrkdwnElement[] = [mrkdwn(`*Service*\n${escapeMrkdwn(n.service)}`, 2000)];
  if (incident) {
    fields.push(
      mrkdwn(`*Release*\n${escapeMrkdwn(incident.release ?? incident.candidate.origin)}`, 2000),
      mrkdwn(`*Step*\n${incident.step} of ${incident.stepCount} at ${incident.weight}%`, 2000),
      mrkdwn(`*Decided by*\n${escapeMrkdwn(incident.actor.name ?? incident.actor.kind)}`, 2000),
    );
  } else if (detail) {
    fields.push(mrkdwn(`*Step*\n${detail.step} at ${detail.weight}%`, 2000));
  }
  blocks.push({ type: "section", fields } satisfies SectionBlock);
  const failed = incident?.failedChecks ?? [];
  if (failed.length > 0) {
    const lines = failed.map((check) => `• ${escapeMrkdwn(describeCheck(check))}`);
    blocks.push({ type: "section", text: mrkdwn(`*Failed checks*\n${lines.join("\n")}`) });
  }
  const verdict = detail?.verdict;
  // The rollout's own metrics, each with its query: where every number came from.
  const metrics = incident?.metrics ?? verdict?.judgement?.metrics ?? [];
  if (metrics.length > 0) {
    const lines = metrics.map(
      (m) => `• ${escapeMrkdwn(m.sentence)}\n   query: \`${escapeMrkdwn(m.query)}\``,
    );
    blocks.push({ type: "section", text: mrkdwn(`*Metrics*\n${lines.join("\n")}`) });
  }
  const numbers = [
    figures("candidate", verdict?.candidate),
    figures("baseline", verdict?.baseline),
  ];
  const context: ContextBlock["elements"] = numbers
    .filter((line): line is string => line !== null)
    .map((line) => mrkdwn(escapeMrkdwn(line)));
  context.push(mrkdwn(timeText(n.at)));
  blocks.push({ type: "context", elements: context });
  if (link) blocks.push({ type: "section", text: mrkdwn(`<${link}|Open ${linkText}>`) });
  if (incident)
    blocks.push({
      type: "context",
      elements: [mrkdwn(`\`keystone incident show ${n.service} ${incident.id}\``)],
    });
  const more = link ? ` (<${link}|${linkText}>)` : "";
  const text = `${clip(escapeMrkdwn(`${title}: ${headline}`), 3000 - more.length)}${more}`;
  return { text, blocks };
}
