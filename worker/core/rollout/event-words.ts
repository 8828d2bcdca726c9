// The words an incident is shown in, one place for the CLI's Markdown, the status page and Slack:
// a window's figures, who acted, and the candidate's last request.
import type { IncidentWire } from "../../../schemas/incident.ts";
import type { VersionFigures } from "../../../schemas/rollout-state.ts";

/** "120 req · 0.00% errors · p95 40 ms", or "–" without figures. */
export function figuresText(f: VersionFigures | null | undefined): string {
  if (!f) return "–";
  const rate = f.errorRatePercent === null ? "–" : `${f.errorRatePercent.toFixed(2)}%`;
  return `${f.requests} req · ${rate} errors · p95 ${f.p95 === null ? "–" : `${Math.round(f.p95)} ms`}`;
}

/** "an operator (bo)" or "the analysis (cron)". */
export function actorText(actor: IncidentWire["actor"]): string {
  return actor.kind === "operator"
    ? `an operator (${actor.name ?? "unknown"})`
    : `the analysis (${actor.name ?? "cron"})`;
}

/** The candidate's last request, and whether isolates may still send it more. */
export function lastRequestText(
  last: IncidentWire["lastCandidateRequest"],
  time: (iso: string) => string = (iso) => iso,
): string {
  if (!last) return "not traced yet";
  const when =
    last.at === null ? "none since the rollout started" : `in the second from ${time(last.at)}`;
  return last.settled
    ? when
    : `${when} (so far, as of ${time(last.tracedAt)}; isolates may still divert)`;
}
