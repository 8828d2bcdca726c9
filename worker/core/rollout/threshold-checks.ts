// The threshold judge's checks of a step's window as figures: each measured value against its
// limit. analysis.ts words them briefly for a verdict's reason; judgement.ts explains them.
import type { Analysis } from "../../../schemas/rollout.ts";
import type { VersionFigures } from "../../../schemas/rollout-state.ts";

export type ThresholdCheckName =
  | "minRequests"
  | "errorRate"
  | "p95"
  | "errorRateDelta"
  | "latencyRatio";

/** A check's measured value (percent, ms or ratio, as its limit) and whether it stayed in bounds. */
export interface ThresholdFigure {
  check: ThresholdCheckName;
  value: number;
  limit: number;
  passed: boolean;
}

type Figures = Pick<VersionFigures, "requests" | "errorRatePercent" | "p95">;

export interface FigureOptions {
  /** The candidate's minRequests (the statistical judge counts both versions itself). */
  minRequests: boolean;
  /** The p95 ratio (with the statistical judge, maxLatencyRatio is its median ratio instead). */
  p95Ratio: boolean;
}

const ALL: FigureOptions = { minRequests: true, p95Ratio: true };

/** Every check the policy sets and the figures can answer; minRequests first when asked. */
export function thresholdFigures(
  analysis: Analysis,
  candidate: Figures,
  baseline: Figures | null,
  options: FigureOptions = ALL,
): ThresholdFigure[] {
  const figures: ThresholdFigure[] = [];
  const atMost = (check: ThresholdCheckName, value: number, limit: number) =>
    figures.push({ check, value, limit, passed: value <= limit });
  if (options.minRequests)
    figures.push({
      check: "minRequests",
      value: candidate.requests,
      limit: analysis.minRequests,
      passed: candidate.requests >= analysis.minRequests,
    });
  const rate = candidate.errorRatePercent ?? 0;
  atMost("errorRate", rate, analysis.maxErrorRatePercent);
  if (analysis.maxP95Ms !== undefined && candidate.p95 !== null)
    atMost("p95", candidate.p95, analysis.maxP95Ms);
  if (analysis.maxErrorRateDeltaPercent !== undefined && baseline?.errorRatePercent != null)
    atMost("errorRateDelta", rate - baseline.errorRatePercent, analysis.maxErrorRateDeltaPercent);
  if (
    options.p95Ratio &&
    analysis.maxLatencyRatio !== undefined &&
    candidate.p95 !== null &&
    baseline?.p95 != null &&
    baseline.p95 > 0
  )
    atMost("latencyRatio", candidate.p95 / baseline.p95, analysis.maxLatencyRatio);
  return figures;
}
