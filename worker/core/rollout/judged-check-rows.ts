// The rows an incident's failed-checks table adds beside the threshold checks: the statistical
// judge's failed checks with their numbers, and the rollout's own metrics as the deciding tick
// measured them. Pure: the CLI's Markdown and the status page print the same rows.
import type { JudgeCheck } from "../../../schemas/judge.ts";
import type { MetricCheck } from "../../../schemas/metric-check.ts";
import { confidence, ms, percent, points, ratio } from "../judge/words.ts";
import { valuesText } from "../provider-metrics/metric-judge.ts";

export interface CheckRow {
  check: string;
  measured: string;
  threshold: string;
  baseline: string;
  /** The result column: fail, or (metrics) pass, inconclusive and dry-run results too. */
  result: string;
}

function judgeRow(check: JudgeCheck, required: number): CheckRow {
  if (check.check === "errorRate") {
    const increase = check.increasePp;
    return {
      check: "error rate against the baseline (statistical)",
      measured: `${check.candidateRatePercent === null ? "–" : percent(check.candidateRatePercent)}${increase ? ` (${points(increase.estimate)}, ${points(increase.low)} to ${points(increase.high)})` : ""}`,
      threshold: `${points(check.limitPp)} at ${confidence(required)} confidence`,
      baseline: check.baselineRatePercent === null ? "–" : percent(check.baselineRatePercent),
      result: check.outcome,
    };
  }
  const shift = check.ratio;
  return {
    check: "median latency against the baseline (statistical)",
    measured: shift
      ? `${ratio(shift.estimate)} (${ratio(shift.low)} to ${ratio(shift.high)})`
      : "–",
    threshold: `${ratio(check.maxRatio)} at ${confidence(required)} confidence`,
    baseline: check.baselineP50Ms === null ? "–" : `p50 ${ms(check.baselineP50Ms)}`,
    result: check.outcome,
  };
}

/** The statistical judge's failed checks. */
export function judgeCheckRows(checks: JudgeCheck[], confidencePercent: number): CheckRow[] {
  return checks.filter((c) => c.outcome === "fail").map((c) => judgeRow(c, confidencePercent));
}

/** Every metric of the deciding tick (dry runs marked): its value, condition and result. */
export function metricCheckRows(checks: MetricCheck[]): CheckRow[] {
  return checks.map((c) => ({
    check: `metric ${c.name} (${c.provider}): ${c.query}`,
    measured:
      c.cause === "providerFailed"
        ? `provider failed: ${c.problem}`
        : c.cause === "noData"
          ? "no data"
          : valuesText(c.candidate ?? []),
    threshold: c.condition,
    baseline: c.baseline === null ? "–" : valuesText(c.baseline),
    result: `${c.outcome}${c.dryRun ? " (dry run, not acted on)" : ""}`,
  }));
}
