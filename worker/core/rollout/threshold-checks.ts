// The threshold judge's checks of a step's window as figures: each measured value against its
// limit. analysis.ts words them briefly for a verdict's reason, judgement.ts explains them, and
// the failed ones are kept with their numbers (`thresholdChecks`) for incidents and the live view.
import type { Analysis } from "../../../schemas/rollout.ts";
import type { ThresholdCheck, VersionFigures } from "../../../schemas/rollout-state.ts";

export type { ThresholdCheck };

export type ThresholdCheckName = "minRequests" | ThresholdCheck["check"];

/** A check's measured value (percent, ms or ratio, as its limit) and whether it stayed in bounds. */
export interface ThresholdFigure {
  check: ThresholdCheckName;
  value: number;
  limit: number;
  passed: boolean;
  /** The baseline's own figure in the same window (its error rate, or its p95 in ms). */
  baseline?: number;
}

type Figures = Pick<VersionFigures, "requests" | "errorRatePercent" | "p95">;

export interface FigureOptions {
  /** The candidate's minRequests (the statistical judge counts both versions itself). */
  minRequests: boolean;
  /** The p95 ratio (with the statistical judge, maxLatencyRatio is its median ratio instead). */
  p95Ratio: boolean;
}

const ALL: FigureOptions = { minRequests: true, p95Ratio: true };

export const pct = (n: number) => `${n.toFixed(2)}%`;
export const ms = (n: number) => `${Math.round(n)} ms`;

/** Every check the policy sets and the figures can answer; minRequests first when asked. */
export function thresholdFigures(
  analysis: Analysis,
  candidate: Figures,
  baseline: Figures | null,
  options: FigureOptions = ALL,
): ThresholdFigure[] {
  const figures: ThresholdFigure[] = [];
  const atMost = (check: ThresholdCheckName, value: number, limit: number, against?: number) =>
    figures.push({
      check,
      value,
      limit,
      passed: value <= limit,
      ...(against === undefined ? {} : { baseline: against }),
    });
  if (options.minRequests)
    figures.push({
      check: "minRequests",
      value: candidate.requests,
      limit: analysis.minRequests,
      passed: candidate.requests >= analysis.minRequests,
    });
  const rate = candidate.errorRatePercent ?? 0;
  // The baseline's own figure beside an absolute limit: whether the baseline fails it too is the
  // first thing to know at 3 a.m. (a shared dependency, not the candidate).
  atMost("errorRate", rate, analysis.maxErrorRatePercent, baseline?.errorRatePercent ?? undefined);
  if (analysis.maxP95Ms !== undefined && candidate.p95 !== null)
    atMost("p95", candidate.p95, analysis.maxP95Ms, baseline?.p95 ?? undefined);
  if (analysis.maxErrorRateDeltaPercent !== undefined && baseline?.errorRatePercent != null)
    atMost(
      "errorRateDelta",
      rate - baseline.errorRatePercent,
      analysis.maxErrorRateDeltaPercent,
      baseline.errorRatePercent,
    );
  if (
    options.p95Ratio &&
    analysis.maxLatencyRatio !== undefined &&
    candidate.p95 !== null &&
    baseline?.p95 != null &&
    baseline.p95 > 0
  )
    atMost("latencyRatio", candidate.p95 / baseline.p95, analysis.maxLatencyRatio, baseline.p95);
  return figures;
}

/** A figure as the check stored with a verdict (minRequests is not one: it only holds). */
export function checkOf(figure: ThresholdFigure): ThresholdCheck | null {
  if (figure.check === "minRequests") return null;
  return {
    check: figure.check,
    measured: figure.value,
    threshold: figure.limit,
    passed: figure.passed,
    ...(figure.baseline === undefined ? {} : { baseline: figure.baseline }),
  };
}

/**
 * Every limit the policy sets that the window has figures for (a conclusive window). With the
 * statistical judge, maxLatencyRatio is its median test (in the judgement), not a p95 limit.
 */
export function thresholdChecks(
  analysis: Analysis,
  candidate: Figures,
  baseline: Figures,
): ThresholdCheck[] {
  const p95Ratio = analysis.judge !== "statistical";
  return thresholdFigures(analysis, candidate, baseline, { minRequests: false, p95Ratio })
    .map(checkOf)
    .filter((check) => check !== null);
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

/**
 * The limits a window too short to judge already exceeds (minRequests aside), as a failed check
 * says them, "so far": said beside the hold, so a step that will fail once enough requests arrive
 * does not read as merely waiting ("error rate 25.00% > 5.00% so far").
 */
export function overSoFar(figures: ThresholdFigure[]): string[] {
  return figures
    .map(checkOf)
    .filter((check) => check !== null && !check.passed)
    .map((check) => `${describeCheck(check!)} so far`);
}

/** A measured value or threshold of a check in its unit: 25.00%, 195 ms, 3.10×. */
export function formatCheckValue(check: ThresholdCheck["check"], value: number): string {
  if (check === "p95") return ms(value);
  if (check === "latencyRatio") return `${value.toFixed(2)}×`;
  return check === "errorRateDelta" ? `${value.toFixed(2)} pp` : pct(value);
}

/** The baseline's figure beside a check: its p95 for the latency checks, else its error rate. */
export function baselineText(check: ThresholdCheck): string {
  if (check.baseline === undefined) return "–";
  const latency = check.check === "latencyRatio" || check.check === "p95";
  return latency ? `p95 ${ms(check.baseline)}` : pct(check.baseline);
}

/** A check's name as people say it. */
export const CHECK_NAMES: Record<ThresholdCheck["check"], string> = {
  errorRate: "error rate",
  p95: "p95 latency",
  errorRateDelta: "error rate above the baseline",
  latencyRatio: "p95 against the baseline",
};
