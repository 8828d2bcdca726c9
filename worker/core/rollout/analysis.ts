// Health checks of a step's window: the candidate against absolute limits and against the
// baseline over the same window.
import type { Analysis } from "../../../schemas/rollout.ts";
import type { WindowStats } from "../metrics/window-stats.ts";

export type AnalysisResult =
  | { kind: "inconclusive"; reason: string }
  | { kind: "failed"; reasons: string[] }
  | { kind: "healthy"; reason: string };

const pct = (n: number) => `${n.toFixed(2)}%`;
const ms = (n: number) => `${Math.round(n)} ms`;

export function analyzeWindow(
  analysis: Analysis,
  candidate: WindowStats,
  baseline: WindowStats,
): AnalysisResult {
  if (candidate.requests < analysis.minRequests) {
    return {
      kind: "inconclusive",
      reason: `only ${candidate.requests} of ${analysis.minRequests} requests in this step's window: holding`,
    };
  }
  const reasons: string[] = [];
  const rate = candidate.errorRatePercent ?? 0;
  if (rate > analysis.maxErrorRatePercent) {
    reasons.push(`error rate ${pct(rate)} > ${pct(analysis.maxErrorRatePercent)}`);
  }
  if (
    analysis.maxP95Ms !== undefined &&
    candidate.p95 !== null &&
    candidate.p95 > analysis.maxP95Ms
  ) {
    reasons.push(`p95 ${ms(candidate.p95)} > ${ms(analysis.maxP95Ms)}`);
  }
  if (analysis.maxErrorRateDeltaPercent !== undefined && baseline.errorRatePercent !== null) {
    const delta = rate - baseline.errorRatePercent;
    if (delta > analysis.maxErrorRateDeltaPercent) {
      reasons.push(
        `error rate ${pct(delta)} above the baseline's > ${pct(analysis.maxErrorRateDeltaPercent)}`,
      );
    }
  }
  if (
    analysis.maxLatencyRatio !== undefined &&
    candidate.p95 !== null &&
    baseline.p95 !== null &&
    baseline.p95 > 0
  ) {
    const ratio = candidate.p95 / baseline.p95;
    if (ratio > analysis.maxLatencyRatio) {
      reasons.push(
        `p95 ${ms(candidate.p95)} is ${ratio.toFixed(2)}× the baseline's ${ms(baseline.p95)} > ${analysis.maxLatencyRatio}×`,
      );
    }
  }
  if (reasons.length > 0) return { kind: "failed", reasons };
  return {
    kind: "healthy",
    reason: `healthy: ${candidate.requests} requests, error rate ${pct(rate)}${candidate.p95 === null ? "" : `, p95 ${ms(candidate.p95)}`}`,
  };
}
