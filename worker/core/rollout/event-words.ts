// The words a rollout's events are told in, one place for every view (incident show, rollout
// explain, rollout report, history, rollout status, the status page, Slack), so one event reads
// the same everywhere: its name, its time, its step and the candidate's weight, its figures, who
// acted, and for an incident the candidate's last request.
import type { HistoryEventType } from "../../../schemas/event-types.ts";
import type { EventDetail, Promotion } from "../../../schemas/history.ts";
import type { IncidentWire } from "../../../schemas/incident.ts";
import type { RolloutPhase, VerdictBody, VersionFigures } from "../../../schemas/rollout-state.ts";

/** "2026-11-22 10:02:00Z": a time as people read it, to the second (JSON keeps ISO-8601). */
export function timeText(at: string | number): string {
  const iso = typeof at === "number" ? new Date(at).toISOString() : at;
  return iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
}

/**
 * The candidate's weight after an event, and before it when the event moved it: "25% → 0%" for
 * a rollback at 25 %, "25%" for a hold (or where the weight before is not known).
 */
export function weightText(weight: number, fromWeight?: number): string {
  return fromWeight === undefined || fromWeight === weight
    ? `${weight}%`
    : `${fromWeight}% → ${weight}%`;
}

/** What each history event is called. */
export const EVENT_NAMES: Record<HistoryEventType, string> = {
  "config.applied": "config applied",
  "weights.changed": "weights changed",
  "config.reverted": "config reverted",
  "service.deleted": "service deleted",
  "rollout.started": "started",
  "rollout.advanced": "advanced",
  "rollout.paused": "paused",
  "rollout.resumed": "resumed",
  "rollout.promoted": "promoted",
  "rollout.rolledBack": "rolled back",
  "rollout.aborted": "aborted",
  "rollout.checkFailed": "check failed",
  "rollout.deadlineExceeded": "deadline passed",
  "rollout.noTraffic": "no eligible traffic",
};

/** What a rollout's phase is called: an ended one by the event that ended it. */
export const PHASE_NAMES: Record<RolloutPhase, string> = {
  progressing: "progressing",
  paused: EVENT_NAMES["rollout.paused"],
  promoted: EVENT_NAMES["rollout.promoted"],
  rolledBack: EVENT_NAMES["rollout.rolledBack"],
  aborted: EVENT_NAMES["rollout.aborted"],
};

/**
 * An event's name in a history line, with what an apply --force overrode: "config applied, forced
 * over v9.0.0 serving".
 */
export function eventText(event: { type: HistoryEventType; detail: EventDetail | null }): string {
  const forced = forcedText(event.detail);
  return forced ? `${EVENT_NAMES[event.type]}, ${forced}` : EVENT_NAMES[event.type];
}

/** "forced over v9.0.0 serving" for an apply --force's detail; null for any other. */
export function forcedText(detail: EventDetail | null): string | null {
  if (detail?.kind !== "config" || !detail.forced) return null;
  const over = detail.forcedOver;
  return over ? `forced over ${over.name ?? over.origin} serving` : "forced";
}

/** What each verdict is called: the name of the event it makes, or of the hold. */
export const OUTCOME_NAMES: Record<VerdictBody["outcome"], string> = {
  started: EVENT_NAMES["rollout.started"],
  hold: "held",
  inconclusive: "inconclusive",
  failed: EVENT_NAMES["rollout.checkFailed"],
  advance: EVENT_NAMES["rollout.advanced"],
  gate: "at a gate",
  promote: EVENT_NAMES["rollout.promoted"],
  rollback: EVENT_NAMES["rollout.rolledBack"],
  pause: EVENT_NAMES["rollout.paused"],
  abort: EVENT_NAMES["rollout.aborted"],
  resume: EVENT_NAMES["rollout.resumed"],
};

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

/** "stable now serves release v2 (from canary)": which track took which release. */
export function describePromotion(p: Promotion): string {
  const release = p.release === null ? p.origin : `release ${p.release}`;
  return p.track === p.from
    ? `${p.track} now serves all traffic with ${release}`
    : `${p.track} now serves ${release} (from ${p.from})`;
}
