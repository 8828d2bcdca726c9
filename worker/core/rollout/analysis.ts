// Health checks of a step's window: the candidate against absolute limits and against the
// baseline over the same window.
import type { Analysis } from "../../../schemas/rollout.ts";
import type { WindowStats } from "../metrics/window-stats.ts";
import { describeCheck, ms, pct, thresholdChecks } from "./threshold-checks.ts";

export type AnalysisResult =
  | { kind: "inconclusive"; reason: string }
  | { kind: "failed"; reasons: string[] }
  | { kind: "healthy"; reason: string };

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
  const failed = thresholdChecks(analysis, candidate, baseline).filter((check) => !check.passed);
  const reasons = failed.map(describeCheck);
  const rate = candidate.errorRatePercent ?? 0;
  if (reasons.length > 0) return { kind: "failed", reasons };
  return {
    kind: "healthy",
    reason: `healthy: ${candidate.requests} requests, error rate ${pct(rate)}${candidate.p95 === null ? "" : `, p95 ${ms(candidate.p95)}`}`,
  };
}
