// The error-rate check: is the candidate's error rate above the baseline's by more than the
// smallest increase worth acting on? An always-valid test on the difference of two proportions.
import type { ErrorRateCheck } from "../../../schemas/judge.ts";
import type { WindowCounts } from "../metrics/window-stats.ts";
import { criticalZ } from "./always-valid.ts";
import { boundary, type CheckLevel, conclusion, weighEvidence } from "./sequential-check.ts";
import { count, percent, points } from "./words.ts";

/**
 * Variance of p̂c − p̂b if the true difference were θ: the candidate's rate taken as the
 * baseline's plus θ (the score-test idea of Farrington & Manning 1990, Stat. Med. 9(12), with the
 * baseline estimated alone). It does not depend on the candidate's own errors, so one more
 * candidate error can only raise z: the verdict is monotonic in them. The baseline's rate counts
 * one pseudo-error and one pseudo-success (Agresti & Caffo 2000, Am. Stat. 54(4)) so that a
 * baseline without errors still has a variance.
 */
function varianceAt(theta: number, candidate: WindowCounts, baseline: WindowCounts): number {
  const pb = (baseline.errors + 1) / (baseline.requests + 2);
  const floor = 1 / (candidate.requests + 2);
  const pc = Math.min(1 - floor, Math.max(floor, pb + theta));
  return (pc * (1 - pc)) / candidate.requests + (pb * (1 - pb)) / baseline.requests;
}

export function checkErrorRate(
  candidate: WindowCounts,
  baseline: WindowCounts,
  limitPp: number,
  level: CheckLevel,
): ErrorRateCheck {
  const candidateRate = candidate.errors / candidate.requests;
  const baselineRate = baseline.errors / baseline.requests;
  const difference = candidateRate - baselineRate;
  const limit = limitPp / 100;
  const variance = varianceAt(limit, candidate, baseline);
  const { outcome, evidence } = weighEvidence(
    (difference - limit) / Math.sqrt(variance),
    variance,
    level,
  );
  // The confidence sequence: every θ the same test would not reject at this look.
  const radius = (theta: number) => {
    const v = varianceAt(theta, candidate, baseline);
    return criticalZ(v, level.tau, level.alpha) * Math.sqrt(v);
  };
  const low = boundary(-1, difference, (theta) => difference - theta <= radius(theta));
  const high = boundary(1, difference, (theta) => theta - difference <= radius(theta));
  const increasePp = { estimate: 100 * difference, low: 100 * low, high: 100 * high };
  const limitText = points(limitPp).slice(1);
  const sentence =
    `error rate ${percent(100 * candidateRate)} vs ${percent(100 * baselineRate)} baseline over ` +
    `${count(candidate.requests)} vs ${count(baseline.requests)} requests: ` +
    `${points(increasePp.estimate)} (${points(increasePp.low)} to ${points(increasePp.high)}), ` +
    conclusion(
      outcome,
      evidence,
      `worse by more than ${limitText}`,
      `not worse by more than ${limitText}`,
    );
  return {
    check: "errorRate",
    outcome,
    sentence,
    candidateRatePercent: 100 * candidateRate,
    baselineRatePercent: 100 * baselineRate,
    increasePp,
    limitPp,
    evidence,
  };
}
