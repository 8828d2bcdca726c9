// The threshold checks in words, with their numbers: what `keystone rollout explain` prints for
// the threshold judge, in the statistical judge's style.
import type { CheckOutcome } from "../../../schemas/judge.ts";
import { count, ms, percent, points, ratio } from "../judge/words.ts";
import type { WindowStats } from "../metrics/window-stats.ts";
import type { ThresholdFigure } from "./threshold-checks.ts";

export function thresholdSentence(
  figure: ThresholdFigure,
  candidate: WindowStats,
  baseline: WindowStats,
  outcome: CheckOutcome,
): string {
  // A limit not judged yet (too few requests) that the requests seen already exceed: said so.
  const over = outcome === "inconclusive" && !figure.passed && figure.check !== "minRequests";
  const end = `→ ${outcome}${over ? " (over the limit so far)" : ""}`;
  switch (figure.check) {
    case "minRequests":
      return figure.passed
        ? `${count(figure.value)} candidate requests, ${count(figure.limit)} needed ${end}`
        : `only ${count(figure.value)} candidate requests of ${count(figure.limit)} needed in this window ${end}`;
    case "errorRate":
      return `error rate ${percent(figure.value)} (${count(candidate.errors)} of ${count(candidate.requests)} requests), limit ${percent(figure.limit)} ${end}`;
    case "p95":
      return `p95 latency ${ms(figure.value)}, limit ${ms(figure.limit)} ${end}`;
    case "errorRateDelta":
      return `error rate ${percent(candidate.errorRatePercent ?? 0)} vs ${percent(baseline.errorRatePercent ?? 0)} baseline over ${count(candidate.requests)} vs ${count(baseline.requests)} requests: ${points(figure.value)}, limit ${points(figure.limit)} ${end}`;
    case "latencyRatio":
      return `p95 latency ${ms(candidate.p95 ?? 0)} vs ${ms(baseline.p95 ?? 0)} baseline: ${ratio(figure.value)}, limit ${ratio(figure.limit)} ${end}`;
  }
}
