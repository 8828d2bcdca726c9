// Health checks of a step's window: the candidate against absolute limits and against the
// baseline over the same window (the threshold judge), worded briefly for a verdict's reason.
import type { Analysis } from "../../../schemas/rollout.ts";
import type { WindowStats } from "../metrics/window-stats.ts";
import { type FigureOptions, type ThresholdFigure, thresholdFigures } from "./threshold-checks.ts";

export type AnalysisResult =
  | { kind: "inconclusive"; reason: string }
  | { kind: "failed"; reasons: string[] }
  | { kind: "healthy"; reason: string };

const pct = (n: number) => `${n.toFixed(2)}%`;
const ms = (n: number) => `${Math.round(n)} ms`;

function brief(figure: ThresholdFigure, candidate: WindowStats, baseline: WindowStats): string {
  switch (figure.check) {
    case "minRequests":
      return `only ${figure.value} of ${figure.limit} requests in this step's window: holding`;
    case "errorRate":
      return `error rate ${pct(figure.value)} > ${pct(figure.limit)}`;
    case "p95":
      return `p95 ${ms(figure.value)} > ${ms(figure.limit)}`;
    case "errorRateDelta":
      return `error rate ${pct(figure.value)} above the baseline's > ${pct(figure.limit)}`;
    case "latencyRatio":
      return `p95 ${ms(candidate.p95 ?? 0)} is ${figure.value.toFixed(2)}× the baseline's ${ms(baseline.p95 ?? 0)} > ${figure.limit}×`;
  }
}

/** The threshold verdict of the checks' figures (see thresholdFigures). */
export function analyzeFigures(
  figures: ThresholdFigure[],
  candidate: WindowStats,
  baseline: WindowStats,
): AnalysisResult {
  const short = figures.find((f) => f.check === "minRequests" && !f.passed);
  if (short) return { kind: "inconclusive", reason: brief(short, candidate, baseline) };
  const reasons = figures.filter((f) => !f.passed).map((f) => brief(f, candidate, baseline));
  if (reasons.length > 0) return { kind: "failed", reasons };
  const rate = candidate.errorRatePercent ?? 0;
  return {
    kind: "healthy",
    reason: `healthy: ${candidate.requests} requests, error rate ${pct(rate)}${candidate.p95 === null ? "" : `, p95 ${ms(candidate.p95)}`}`,
  };
}

export function analyzeWindow(
  analysis: Analysis,
  candidate: WindowStats,
  baseline: WindowStats,
  options?: FigureOptions,
): AnalysisResult {
  return analyzeFigures(
    thresholdFigures(analysis, candidate, baseline, options),
    candidate,
    baseline,
  );
}
