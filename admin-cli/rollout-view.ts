// How `rollout status` shows a rollout to people: phase, step, weights, bake left, which release
// each track serves, per-version figures, any fast-abort halt and the last verdict. Pure: status
// in, lines out.
import type { RolloutStatus } from "../schemas/api-responses.ts";
import { describePromotion } from "./commands/history.ts";
import { type Output, table } from "./io.ts";
import { visitorLines } from "./rollout-visitors.ts";

export const TERMINAL = new Set(["promoted", "rolledBack", "aborted"]);

const ms = (v: number | null) => (v === null ? "-" : `${Math.round(v)}ms`);

function duration(msLeft: number): string {
  const s = Math.max(0, Math.ceil(msLeft / 1000));
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export function progressBar(percent: number, width = 24): string {
  const filled = Math.round((percent / 100) * width);
  return `[${"█".repeat(filled)}${"░".repeat(width - filled)}] ${percent}%`;
}

/**
 * The share the bar shows: the candidate's weight in the split now served, so the bar and the
 * weights beside it always agree (after an abort both say 0). A promoted canary or linear
 * rollout moved the candidate's release into the baseline track: its bar is full.
 */
export function barPercent(
  state: NonNullable<RolloutStatus["state"]>,
  split: Record<string, number>,
): number {
  if (state.phase === "promoted")
    return split[state.strategy === "blueGreen" ? state.candidate : state.baseline] ?? 100;
  return split[state.candidate] ?? 0;
}

export function renderStatus(out: Output, service: string, view: RolloutStatus): string[] {
  const { state } = view;
  if (!state) return [`${service}: no rollout yet (keystone rollout start ${service})`];
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
    `${out.paint("bold", service)}  ${state.strategy} rollout of ${state.candidate}  ${out.paint(phaseColour, state.phase)}${state.pausedBy ? ` (${state.pausedBy})` : ""}  step ${state.stepIndex + 1} of ${state.stepCount}`,
    `${progressBar(barPercent(state, view.split))}  ${weights}`,
    `releases: ${view.tracks.map((t) => `${t.track} ${t.release ?? t.origin} (${t.weight}%)`).join(", ")}`,
  ];
  if (view.promotion) lines.push(describePromotion(view.promotion));
  lines.push(...visitorLines(state, view));
  if (state.phase === "progressing" && view.stepBakeMs !== null) {
    const left = Date.parse(state.stepStartedAt) + view.stepBakeMs - Date.parse(view.now);
    lines.push(`bake: ${duration(left)} left of ${duration(view.stepBakeMs)}`);
  }
  if (view.halt?.mayHold) {
    lines.push(
      out.paint(
        "yellow",
        `halted: isolates may still send ${view.halt.version}'s traffic to the baseline ${view.halt.until ? `until ${view.halt.until}` : "until the rollback is published"}`,
      ),
    );
  }
  const rows = [
    [state.baseline, view.baseline],
    [state.candidate, view.candidate],
  ] as const;
  if (view.candidate || view.baseline) {
    lines.push(
      table(
        ["VERSION", "REQUESTS", "REQ/S", "ERRORS", "P50", "P95", "P99"],
        rows.map(([name, f]) => {
          const seconds = f ? Math.max(1, (Date.parse(f.to) - Date.parse(f.from)) / 1000) : 1;
          return [
            name,
            String(f?.requests ?? 0),
            f ? (f.requests / seconds).toFixed(1) : "0.0",
            f?.errorRatePercent == null ? "-" : `${f.errorRatePercent.toFixed(2)}%`,
            ms(f?.p50 ?? null),
            ms(f?.p95 ?? null),
            ms(f?.p99 ?? null),
          ];
        }),
      ),
    );
  }
  if (state.lastVerdict) {
    lines.push(
      `last verdict: ${state.lastVerdict.outcome} — ${state.lastVerdict.reason} (${state.lastVerdict.at})`,
    );
  }
  return lines;
}
