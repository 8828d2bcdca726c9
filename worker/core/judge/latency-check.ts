// The latency check: is the candidate's typical request slower than the baseline's by more than
// maxLatencyRatio? A Mann–Whitney test of the shifted histograms, made always valid.
import type { LatencyCheck } from "../../../schemas/judge.ts";
import { bucketValue, quantile } from "../metrics/histogram.ts";
import type { WindowCounts } from "../metrics/window-stats.ts";
import { criticalZ } from "./always-valid.ts";
import {
  pairsAbove,
  pairwiseShifts,
  rankSum,
  rankSumPValue,
  shiftWithInterval,
  toBuckets,
} from "./rank-test.ts";
import { type CheckLevel, conclusion, weighEvidence } from "./sequential-check.ts";
import { count, ms, ratio } from "./words.ts";

/** The histogram's bucket width as a ratio: a shift of d buckets multiplies latency by γ^d. */
const GAMMA = bucketValue(2) / bucketValue(1);

/**
 * The evidence is the rank statistic of "candidate latency ÷ maxLatencyRatio vs baseline":
 * θ̂ = (pairs where the shifted candidate is slower, ties half, interpolated between whole
 * buckets: `pairsAbove`) / n₁n₂ − ½, whose null variance is σ_U²/(n₁n₂)². The interval of the
 * Hodges–Lehmann shift at the same critical z is the set of ratios that very test would not
 * reject, so the interval and the outcome always agree: fail exactly when the whole interval is at
 * or above the limit, pass when it is at or below.
 */
export function checkLatency(
  candidate: WindowCounts,
  baseline: WindowCounts,
  maxRatio: number,
  level: CheckLevel,
): LatencyCheck {
  const c = toBuckets(candidate.histogram);
  const b = toBuckets(baseline.histogram);
  const rank = rankSum(c, b);
  const pairs = rank.candidateCount * rank.baselineCount;
  const candidateP50 = quantile(candidate.histogram, 0.5);
  const baselineP50 = quantile(baseline.histogram, 0.5);
  const figures =
    `median latency ${candidateP50 === null ? "none" : ms(candidateP50)} vs ` +
    `${baselineP50 === null ? "none" : ms(baselineP50)} baseline over ` +
    `${count(rank.candidateCount)} vs ${count(rank.baselineCount)} requests`;
  const unjudged = (why: string): LatencyCheck => ({
    check: "latency",
    outcome: "inconclusive",
    sentence: `${figures}: ${why} → inconclusive`,
    candidateP50Ms: candidateP50,
    baselineP50Ms: baselineP50,
    ratio: null,
    maxRatio,
    mannWhitney: null,
    evidence: null,
  });
  if (pairs === 0) return unjudged("no latencies to compare");
  if (rank.sigma === 0) return unjudged("every request in one latency bucket");

  const shifts = pairwiseShifts(c, b);
  const limitShift = Math.log(maxRatio) / Math.log(GAMMA);
  const variance = (rank.sigma / pairs) ** 2;
  const { outcome, evidence } = weighEvidence(
    (pairsAbove(shifts, limitShift) - pairs / 2) / rank.sigma,
    variance,
    level,
  );
  const interval = shiftWithInterval(
    shifts,
    rank.sigma,
    criticalZ(variance, level.tau, level.alpha),
  );
  if (!interval) return unjudged("too few requests for an interval");
  const shown = {
    estimate: GAMMA ** interval.estimate,
    low: GAMMA ** interval.low,
    high: GAMMA ** interval.high,
  };
  const { z, pValue } = rankSumPValue(rank);
  const limitText = ratio(maxRatio);
  return {
    check: "latency",
    outcome,
    sentence:
      `${figures}: ${ratio(shown.estimate)} (${ratio(shown.low)} to ${ratio(shown.high)}), ` +
      conclusion(outcome, evidence, `slower than ${limitText}`, `not slower than ${limitText}`),
    candidateP50Ms: candidateP50,
    baselineP50Ms: baselineP50,
    ratio: shown,
    maxRatio,
    mannWhitney: { u: rank.u, z, pValue },
    evidence,
  };
}
