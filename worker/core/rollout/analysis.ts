// Health checks of a step's window: the candidate against absolute limits and against the
// baseline over the same window (the threshold judge), worded briefly for a verdict's reason.
import type { Analysis } from "../../../schemas/rollout.ts";
import type { WindowStats } from "../metrics/window-stats.ts";
import {
  checkOf,
  describeCheck,
  type FigureOptions,
  ms,
  overSoFar,
  pct,
  type ThresholdFigure,
  thresholdFigures,
} from "./threshold-checks.ts";

export type AnalysisResult =
  | {
      kind: "inconclusive";
      reason: string;
      /**
       * Limits the too-short window already exceeds ("error rate 25.00% over the 5.00% limit so
       * far"): said after the hold's reason (and any hint on how to send the step traffic).
       */
      soFar?: string[];
    }
  | { kind: "failed"; reasons: string[] }
  | { kind: "healthy"; reason: string };

function brief(figure: ThresholdFigure): string {
  const check = checkOf(figure);
  return check
    ? describeCheck(check)
    : `only ${figure.value} of ${figure.limit} requests needed to judge in this step's window: holding`;
}

/** The threshold verdict of the checks' figures (see thresholdFigures). */
export function analyzeFigures(figures: ThresholdFigure[], candidate: WindowStats): AnalysisResult {
  const short = figures.find((f) => f.check === "minRequests" && !f.passed);
  if (short) {
    const soFar = overSoFar(figures);
    return { kind: "inconclusive", reason: brief(short), ...(soFar.length ? { soFar } : {}) };
  }
  const reasons = figures.filter((f) => !f.passed).map(brief);
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
  return analyzeFigures(thresholdFigures(analysis, candidate, baseline, options), candidate);
}
