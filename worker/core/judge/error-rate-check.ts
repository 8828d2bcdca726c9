// The error-rate check: is the candidate's error rate above the baseline's by more than the
// smallest increase worth acting on? An always-valid test on the difference of two proportions.
import type { ErrorRateCheck } from "../../../schemas/judge.ts";
import type { WindowCounts } from "../metrics/window-stats.ts";
import { criticalZ } from "./always-valid.ts";
import { type CheckLevel, conclusion, weighEvidence } from "./sequential-check.ts";
import { count, percent, points } from "./words.ts";

/** Anscombe's (1948) variance-stabilised rate: 2·asin√((x + 3/8)/(n + 3/4)), variance ≈ 1/n. */
function stabilised(errors: number, requests: number): number {
  return arcsine((errors + 3 / 8) / (requests + 3 / 4));
}

function arcsine(rate: number): number {
  return 2 * Math.asin(Math.sqrt(Math.min(1, Math.max(0, rate))));
}

/** The rate whose arcsine is `y`, the scale's ends clamped. */
function rateOf(y: number): number {
  return Math.sin(Math.min(Math.PI, Math.max(0, y)) / 2) ** 2;
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
  // On the arcsine scale (Anscombe 1948, Biometrika 35; Cohen's h) a rate's variance is 1/n
  // whatever the rate, so rare errors are not mistaken for alarms: 2 errors in 100 requests
  // against a baseline at 0.1 % is z ≈ 2.5 there and z ≈ 5.7 on the raw scale. The limit is
  // placed at the baseline's rate plus limitPp; the variance does not depend on the candidate's
  // errors, so one more error can only raise z: the verdict is monotonic in them.
  const baselineSmoothed = (baseline.errors + 3 / 8) / (baseline.requests + 3 / 4);
  const candidateY = stabilised(candidate.errors, candidate.requests);
  const variance = 1 / candidate.requests + 1 / baseline.requests;
  const z = (candidateY - arcsine(baselineSmoothed + limitPp / 100)) / Math.sqrt(variance);
  const { outcome, evidence } = weighEvidence(z, variance, level);
  // The confidence sequence, mapped back to percentage points: every increase θ whose arcsine
  // lies within the critical radius of the candidate's.
  const radius = criticalZ(variance, level.tau, level.alpha) * Math.sqrt(variance);
  const low = Math.min(difference, rateOf(candidateY - radius) - baselineSmoothed);
  const high = Math.max(difference, rateOf(candidateY + radius) - baselineSmoothed);
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
