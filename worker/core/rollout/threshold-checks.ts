// The threshold judge's checks as data: each limit the policy sets, what the window measured
// against it, and whether it passed. The analysis words its reasons from these; incidents and the
// live terminal view show the numbers.
import type { Analysis } from "../../../schemas/rollout.ts";
import type { ThresholdCheck } from "../../../schemas/rollout-state.ts";
import type { WindowStats } from "../metrics/window-stats.ts";

export type { ThresholdCheck };

export const pct = (n: number) => `${n.toFixed(2)}%`;
export const ms = (n: number) => `${Math.round(n)} ms`;

/** Every check the policy sets that the window has figures for (a conclusive window). */
export function thresholdChecks(
  analysis: Analysis,
  candidate: WindowStats,
  baseline: WindowStats,
): ThresholdCheck[] {
  const checks: ThresholdCheck[] = [];
  const check = (
    name: ThresholdCheck["check"],
    measured: number,
    threshold: number,
    against?: number,
  ) =>
    checks.push({
      check: name,
      measured,
      threshold,
      passed: measured <= threshold,
      ...(against === undefined ? {} : { baseline: against }),
    });
  const rate = candidate.errorRatePercent ?? 0;
  check("errorRate", rate, analysis.maxErrorRatePercent);
  if (analysis.maxP95Ms !== undefined && candidate.p95 !== null)
    check("p95", candidate.p95, analysis.maxP95Ms);
  if (analysis.maxErrorRateDeltaPercent !== undefined && baseline.errorRatePercent !== null)
    check(
      "errorRateDelta",
      rate - baseline.errorRatePercent,
      analysis.maxErrorRateDeltaPercent,
      baseline.errorRatePercent,
    );
  if (
    analysis.maxLatencyRatio !== undefined &&
    candidate.p95 !== null &&
    baseline.p95 !== null &&
    baseline.p95 > 0
  )
    check("latencyRatio", candidate.p95 / baseline.p95, analysis.maxLatencyRatio, baseline.p95);
  return checks;
}

/** A check in words, with its numbers: "error rate 25.00% > 5.00%". */
export function describeCheck(check: ThresholdCheck): string {
  const op = check.passed ? "≤" : ">";
  switch (check.check) {
    case "errorRate":
      return `error rate ${pct(check.measured)} ${op} ${pct(check.threshold)}`;
    case "p95":
      return `p95 ${ms(check.measured)} ${op} ${ms(check.threshold)}`;
    case "errorRateDelta":
      return `error rate ${pct(check.measured)} above the baseline's ${op} ${pct(check.threshold)}`;
    case "latencyRatio": {
      const candidate =
        check.baseline === undefined ? "" : `p95 ${ms(check.measured * check.baseline)} is `;
      const base = check.baseline === undefined ? "" : ` ${ms(check.baseline)}`;
      return `${candidate}${check.measured.toFixed(2)}× the baseline's${base} ${op} ${check.threshold}×`;
    }
  }
}

/** A measured value or threshold of a check in its unit: 25.00%, 195 ms, 3.10×. */
export function formatCheckValue(check: ThresholdCheck["check"], value: number): string {
  if (check === "p95") return ms(value);
  if (check === "latencyRatio") return `${value.toFixed(2)}×`;
  return check === "errorRateDelta" ? `${value.toFixed(2)} pp` : pct(value);
}

/** A check's name as people say it. */
export const CHECK_NAMES: Record<ThresholdCheck["check"], string> = {
  errorRate: "error rate",
  p95: "p95 latency",
  errorRateDelta: "error rate above the baseline",
  latencyRatio: "p95 against the baseline",
};
