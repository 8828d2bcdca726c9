// How `rollout status` shows a rollout to people: phase, step, weights, bake left, per-version
// figures and the last verdict. Pure: status in, lines out.
import type { RolloutState } from "../schemas/rollout-state.ts";
import { type Output, table } from "./io.ts";

interface Figures {
  requests: number;
  errorRatePercent: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  from: number;
  to: number;
}

export interface RolloutStatusView {
  state: RolloutState | null;
  split: Record<string, number>;
  candidate: Figures | null;
  baseline: Figures | null;
  stepBakeMs: number | null;
  now: number;
}

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

export function renderStatus(out: Output, service: string, view: RolloutStatusView): string[] {
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
    `${progressBar(state.weight)}  ${weights}`,
  ];
  if (state.phase === "progressing" && view.stepBakeMs !== null) {
    lines.push(
      `bake: ${duration(state.stepStartedAt + view.stepBakeMs - view.now)} left of ${duration(view.stepBakeMs)}`,
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
          const seconds = f ? Math.max(1, (f.to - f.from) / 1000) : 1;
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
      `last verdict: ${state.lastVerdict.outcome} — ${state.lastVerdict.reason} (${new Date(state.lastVerdict.at).toISOString()})`,
    );
  }
  return lines;
}
