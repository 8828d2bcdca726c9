// How `rollout status` shows a rollout to people: phase, step, weights, bake left, which release
// each track serves, a regional wave's place, a ramped rollback's progress, per-version figures,
// any fast-abort halt, the last verdict and a paused rollout's ways out. Pure: status in, lines out.
import type { RolloutStatus, WindowFigures } from "../schemas/api-responses.ts";
import type { Analysis } from "../schemas/rollout.ts";
import {
  describePromotion,
  OUTCOME_NAMES,
  PHASE_NAMES,
  timeText,
} from "../worker/core/rollout/event-words.ts";
import type { Step } from "../worker/core/rollout/steps.ts";
import { describeWhere } from "../worker/core/wave.ts";
import { type Output, type Paint, type Style, table } from "./io.ts";

/** The lines for a regional wave's place and a ramped rollback's progress. */
function visitorLines(state: NonNullable<RolloutStatus["state"]>, view: RolloutStatus): string[] {
  const lines: string[] = [];
  if (view.place)
    lines.push(
      `wave: only ${describeWhere(view.place)} reach ${state.candidate} in this step; elsewhere stays on ${state.baseline}`,
    );
  const ramp = state.ramp;
  if (ramp && state.phase === "rolledBack" && state.weight > 0 && state.endedAt) {
    const end = timeText(Date.parse(state.endedAt) + ramp.steps * ramp.stepMs);
    lines.push(
      `ramping back: ${state.candidate} at ${state.weight}% (from ${ramp.from}%), 0% by ${end}`,
    );
  }
  return lines;
}

/** What the service's policy adds to a status: its step plan and analysis limits. */
export interface RolloutPlan {
  steps: Step[];
  analysis: Analysis;
}

export const TERMINAL = new Set(["promoted", "rolledBack", "aborted"]);

const ms = (v: number | null) => (v === null ? "-" : `${Math.round(v)}ms`);

function duration(msLeft: number): string {
  const s = Math.max(0, Math.ceil(msLeft / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

const BAR_WIDTH = 24;

function progressBar(percent: number): string {
  const filled = Math.round((percent / 100) * BAR_WIDTH);
  return `[${"█".repeat(filled)}${"░".repeat(BAR_WIDTH - filled)}] ${percent}%`;
}

/**
 * The share the bar shows: the candidate's weight in the split now served, so the bar and the
 * weights beside it always agree (after an abort both say 0). A promoted canary or linear
 * rollout moved the candidate's release into the baseline track: its bar is full.
 */
function barPercent(
  state: NonNullable<RolloutStatus["state"]>,
  split: Record<string, number>,
): number {
  if (state.phase === "promoted")
    return split[state.strategy === "blueGreen" ? state.candidate : state.baseline] ?? 100;
  return split[state.candidate] ?? 0;
}

/** The steps as marks: passed ✓, current ▶ (✗ where it ended badly), to come ·; gates named. */
function stepsLine(paint: Paint, state: NonNullable<RolloutStatus["state"]>, steps: Step[]) {
  const ended = state.phase === "rolledBack" || state.phase === "aborted";
  const marks = steps.map((step, i) => {
    const label = step.kind === "pause" ? "gate" : `${step.weight}%`;
    if (state.phase === "promoted" || i < state.stepIndex) return paint("green", `✓ ${label}`);
    if (i > state.stepIndex) return paint("dim", `· ${label}`);
    return ended ? paint("red", `✗ ${label}`) : paint("cyan", `▶ ${label}`);
  });
  return `steps: ${marks.join("  ")}`;
}

const VERDICT_STYLE: Record<string, Style> = {
  failed: "red",
  rollback: "red",
  abort: "red",
  inconclusive: "yellow",
  pause: "yellow",
  gate: "yellow",
  advance: "green",
  promote: "green",
};

/** A figure red over its limit, green within it; as is with no limit. */
function against(paint: Paint, text: string, value: number | null, limit: number | undefined) {
  if (value === null || limit === undefined) return text;
  return paint(value > limit ? "red" : "green", text);
}

function figureRow(
  paint: Paint,
  name: string,
  f: WindowFigures | null,
  limits: Analysis | undefined,
): string[] {
  const seconds = f ? Math.max(1, (Date.parse(f.to) - Date.parse(f.from)) / 1000) : 1;
  const rate = f?.errorRatePercent ?? null;
  const short = limits !== undefined && f !== null && f.requests < limits.minRequests;
  const requests = String(f?.requests ?? 0);
  return [
    name,
    short ? paint("yellow", `${requests}/${limits.minRequests}`) : requests,
    f ? (f.requests / seconds).toFixed(1) : "0.0",
    against(paint, rate === null ? "-" : `${rate.toFixed(2)}%`, rate, limits?.maxErrorRatePercent),
    ms(f?.p50 ?? null),
    against(paint, ms(f?.p95 ?? null), f?.p95 ?? null, limits?.maxP95Ms),
    ms(f?.p99 ?? null),
  ];
}

/**
 * A paused rollout's ways out, by what paused it: the command that goes on (resume; promote past
 * a gate; a release's own promotion for one held by its release) and the abort that ends it.
 */
function pausedLine(service: string, state: NonNullable<RolloutStatus["state"]>): string[] {
  if (state.phase !== "paused") return [];
  const abort = `keystone rollout abort ${service}`;
  const end = `end it (all traffic to ${state.baseline})`;
  if (state.pausedBy === "release") {
    const release = state.heldBy?.release;
    const see = release ? ` (keystone release status ${release})` : "";
    return [
      `held: it goes on when every service of its release has passed${see}; ${abort} to ${end}, failing the release`,
    ];
  }
  if (state.pausedBy === "gate")
    return [`paused at a gate: keystone rollout promote ${service} to go on, ${abort} to ${end}`];
  return [`paused: keystone rollout resume ${service} to go on, ${abort} to ${end}`];
}

/** The release the config file asks for beside the one serving: "desired v3 · serving v2 since revision 7 (promoted)". */
function releaseLine(view: Pick<RolloutStatus, "desired" | "serving">): string[] {
  const { desired, serving } = view;
  if (!desired && !serving) return [];
  const label = (r: { name: string | null; origin: string }) => r.name ?? r.origin;
  const since = serving ? ` since revision ${serving.revision} (${serving.how})` : "";
  return [
    `desired: ${desired ? label(desired) : "-"} (config file) · serving: ${serving ? `${label(serving)}${since}` : "-"}`,
  ];
}

export function renderStatus(
  out: Output,
  service: string,
  view: RolloutStatus,
  plan?: RolloutPlan,
): string[] {
  const { state } = view;
  if (!state)
    return [
      plan
        ? `${service}: no rollout yet (start one: keystone rollout start ${service})`
        : `${service}: no rollout yet, and none can start: its config has no rollout: policy`,
      ...releaseLine(view),
    ];
  const phaseColour =
    state.phase === "promoted"
      ? "green"
      : state.phase === "progressing"
        ? "cyan"
        : state.phase === "paused"
          ? "yellow"
          : "red";
  const weights = Object.entries(view.split)
    .map(([v, w]) => `${v} ${w}%`)
    .join(", ");
  const lines = [
    `${out.paint("bold", service)}  ${state.strategy} rollout of ${state.candidate}  ${out.paint(phaseColour, PHASE_NAMES[state.phase])}${state.pausedBy ? ` (${state.pausedBy})` : ""}  step ${state.stepIndex + 1} of ${state.stepCount}`,
    `${progressBar(barPercent(state, view.split))}  ${weights}`,
    ...(plan ? [stepsLine(out.paint, state, plan.steps)] : []),
    `releases: ${view.tracks.map((t) => `${t.track} ${t.release ?? t.origin} (${t.weight}%)`).join(", ")}`,
    ...releaseLine(view),
  ];
  if (view.promotion) lines.push(describePromotion(view.promotion));
  lines.push(...visitorLines(state, view));
  if (state.phase === "progressing" && view.stepBakeMs !== null) {
    const left = Date.parse(state.stepStartedAt) + view.stepBakeMs - Date.parse(view.now);
    lines.push(`bake: ${duration(left)} left of ${duration(view.stepBakeMs)}`);
  }
  // When the cron judges it next, as the status page says it: not while paused (a rollout held
  // for its release is still analysed); a ramping rollback's next cut back.
  const judged =
    state.phase === "progressing" ||
    state.phase === "rolledBack" ||
    (state.phase === "paused" && state.pausedBy === "release");
  if (view.nextTickAt && judged) {
    const left = Date.parse(view.nextTickAt) - Date.parse(view.now);
    const what = state.phase === "rolledBack" ? "next cut back" : "next analysis";
    lines.push(`${what}: ${left <= 0 ? "due now" : `in ${duration(left)}`}`);
  }
  if (view.noTraffic) lines.push(out.paint("yellow", view.noTraffic));
  if (view.halt?.mayHold) {
    lines.push(
      out.paint(
        "yellow",
        `halted: isolates may still send ${view.halt.version}'s traffic to the baseline ${view.halt.until ? `until ${timeText(view.halt.until)}` : "until the rollback is published"}`,
      ),
    );
  }
  if (view.candidate || view.baseline) {
    const limits = plan?.analysis;
    const rows = [
      figureRow(out.paint, state.baseline, view.baseline, undefined),
      figureRow(out.paint, state.candidate, view.candidate, limits),
    ];
    if (limits)
      rows.push([
        "limit",
        String(limits.minRequests),
        "",
        `${limits.maxErrorRatePercent.toFixed(2)}%`,
        "",
        limits.maxP95Ms === undefined ? "-" : ms(limits.maxP95Ms),
        "",
      ]);
    lines.push(table(["VERSION", "REQUESTS", "REQ/S", "ERRORS", "P50", "P95", "P99"], rows));
  }
  const verdict = state.lastVerdict;
  if (verdict) {
    const outcome = out.paint(
      VERDICT_STYLE[verdict.outcome] ?? "bold",
      OUTCOME_NAMES[verdict.outcome],
    );
    lines.push(`last verdict: ${outcome} — ${verdict.reason} (${timeText(verdict.at)})`);
  }
  lines.push(...pausedLine(service, state).map((line) => out.paint("yellow", line)));
  if (view.incident)
    lines.push(
      out.paint("red", `incident ${view.incident.id}: ${view.incident.summary}`),
      `  keystone incident show ${service} ${view.incident.id}`,
    );
  return lines;
}

/** What makes a new line worth printing in a log: phase, step, weight, a new verdict, an incident. */
export function statusKey(view: RolloutStatus): string {
  const state = view.state;
  return JSON.stringify([
    state?.phase,
    state?.stepIndex,
    state?.weight,
    state?.lastVerdict?.at,
    view.incident?.id,
  ]);
}

/** One line per change for a log (--watch when piped): when, phase, step, weight, bake, figures, verdict. */
export function statusLine(service: string, view: RolloutStatus): string {
  const state = view.state;
  if (!state) return `${service}: no rollout yet`;
  const parts = [
    `${timeText(view.now)} ${service}: ${PHASE_NAMES[state.phase]}`,
    `step ${state.stepIndex + 1} of ${state.stepCount}`,
    `${state.candidate} ${view.split[state.candidate] ?? 0}%`,
  ];
  if (state.phase === "progressing" && view.stepBakeMs !== null) {
    const left = Date.parse(state.stepStartedAt) + view.stepBakeMs - Date.parse(view.now);
    parts.push(`bake ${duration(left)} left`);
  }
  const f = view.candidate;
  if (f)
    parts.push(
      `${state.candidate} ${f.requests} req ${f.errorRatePercent === null ? "-" : `${f.errorRatePercent.toFixed(2)}%`} errors p95 ${ms(f.p95)}`,
    );
  if (state.lastVerdict) parts.push(`${state.lastVerdict.outcome}: ${state.lastVerdict.reason}`);
  if (view.incident) parts.push(`incident ${view.incident.id}`);
  return parts.join(" · ");
}
