// The Mann–Whitney rank test and the Hodges–Lehmann shift on two latency histograms, read bucket
// by bucket: requests in one bucket are ties (as Kayenta's judge treats them), so the work is
// proportional to the number of buckets, never to the number of requests.
import { errorFunction } from "simple-statistics";
import type { Histogram } from "../metrics/histogram.ts";

/** Bucket index → count, ascending by index, without empty buckets. */
export type Buckets = ReadonlyArray<readonly [index: number, count: number]>;

export function toBuckets(histogram: Histogram): Buckets {
  const buckets: Array<readonly [number, number]> = [];
  for (const key in histogram) {
    const count = histogram[key]!;
    if (count > 0) buckets.push([Number(key), count]);
  }
  return buckets.sort((a, b) => a[0] - b[0]);
}

export function total(buckets: Buckets): number {
  return buckets.reduce((sum, [, count]) => sum + count, 0);
}

export interface RankSum {
  candidateCount: number;
  baselineCount: number;
  /** Pairs where the candidate is in a higher bucket, plus half the pairs in the same bucket. */
  u: number;
  /** Standard deviation of u under "same distribution", corrected for ties. */
  sigma: number;
}

/**
 * U and its null standard deviation with the tie correction
 *   σ² = n₁n₂/12 · ( (N + 1) − Σ(t³ − t) / (N(N − 1)) ),  t = requests in one pooled bucket
 * (Lehmann 1975, "Nonparametrics: Statistical Methods Based on Ranks", p. 20; the same formula
 * R's wilcox.test uses).
 */
export function rankSum(candidate: Buckets, baseline: Buckets): RankSum {
  const n1 = total(candidate);
  const n2 = total(baseline);
  let u = 0;
  let baselineBelow = 0;
  let ties = 0;
  // Walk both sorted bucket lists at once; a bucket is a group of tied latencies.
  for (let ci = 0, bi = 0; ci < candidate.length || bi < baseline.length; ) {
    const ic = candidate[ci]?.[0] ?? Number.POSITIVE_INFINITY;
    const ib = baseline[bi]?.[0] ?? Number.POSITIVE_INFINITY;
    const c = ic <= ib ? candidate[ci++]![1] : 0;
    const b = ib <= ic ? baseline[bi++]![1] : 0;
    u += c * (baselineBelow + b / 2);
    baselineBelow += b;
    const t = c + b;
    ties += t * t * t - t;
  }
  const n = n1 + n2;
  const variance = n > 1 ? ((n1 * n2) / 12) * (n + 1 - ties / (n * (n - 1))) : 0;
  return { candidateCount: n1, baselineCount: n2, u, sigma: Math.sqrt(variance) };
}

/** P(Z ≥ z) for a standard normal Z. */
export function normalUpperTail(z: number): number {
  return z >= 0 ? Math.max(0, (1 - errorFunction(z / Math.SQRT2)) / 2) : 1 - normalUpperTail(-z);
}

/**
 * Fixed-sample two-sided p-value of U with the continuity correction (Hollander, Wolfe & Chicken
 * 2014, "Nonparametric Statistical Methods", 3rd ed., §4.1, large-sample approximation).
 */
export function rankSumPValue({ candidateCount, baselineCount, u, sigma }: RankSum): {
  z: number;
  pValue: number;
} {
  const centred = u - (candidateCount * baselineCount) / 2;
  if (sigma === 0) return { z: 0, pValue: 1 };
  const z = (centred - Math.sign(centred) * 0.5) / sigma;
  return { z, pValue: Math.min(1, 2 * normalUpperTail(Math.abs(z))) };
}

/**
 * The n₁n₂ pairwise differences (candidate bucket − baseline bucket), never listed one by one:
 * `atMost(d)` counts the pairs whose difference is at most d, in one pass over the candidate's
 * buckets against the baseline's cumulative counts. On the log-scale histogram a difference of d
 * buckets is a latency ratio of γ^d.
 */
export interface Shifts {
  pairs: number;
  lowest: number;
  highest: number;
  atMost: (difference: number) => number;
}

export function pairwiseShifts(candidate: Buckets, baseline: Buckets): Shifts {
  const first = baseline[0]?.[0] ?? 0;
  const last = baseline[baseline.length - 1]?.[0] ?? 0;
  const cumulative = new Float64Array(last - first + 1);
  for (const [j, b] of baseline) cumulative[j - first]! += b;
  for (let k = 1; k < cumulative.length; k++) cumulative[k]! += cumulative[k - 1]!;
  const baselineCount = cumulative[cumulative.length - 1]!;
  // i − j ≤ d exactly when j ≥ i − d: all baseline requests but those in buckets below i − d.
  const atMost = (difference: number) => {
    let pairs = 0;
    for (const [i, c] of candidate) {
      const below = i - difference - 1;
      if (below < first) pairs += c * baselineCount;
      else if (below < last) pairs += c * (baselineCount - cumulative[below - first]!);
    }
    return pairs;
  };
  return {
    pairs: total(candidate) * baselineCount,
    lowest: (candidate[0]?.[0] ?? 0) - last,
    highest: (candidate[candidate.length - 1]?.[0] ?? 0) - first,
    atMost,
  };
}

/**
 * Pairs whose difference exceeds `shift`, those equal to it counted half; between two whole
 * buckets, the straight line between their counts. A bucket index hides where in its 4 % a latency
 * lay, so a shift of k + φ buckets (0 < φ < 1) moves a share φ of the candidate's requests one
 * bucket further: with ties half and that interpolation, a candidate exactly `shift` buckets slower
 * than its baseline has half its pairs above `shift` on average, whatever φ is. Counting every
 * pair at ⌈shift⌉ as above instead would move the limit by up to half a bucket (1.2 acting as
 * 1.193) and fail a candidate exactly at it far more often than alpha (docs/analysis.md).
 */
export function pairsAbove(shifts: Shifts, shift: number): number {
  const whole = Math.floor(shift);
  const part = shift - whole;
  const atWhole = abovePairs(shifts, whole);
  return part === 0 ? atWhole : (1 - part) * atWhole + part * abovePairs(shifts, whole + 1);
}

/** Pairs above a whole-bucket shift d, those at d counted half. */
function abovePairs(shifts: Shifts, d: number): number {
  return shifts.pairs - (shifts.atMost(d) + shifts.atMost(d - 1)) / 2;
}

/**
 * The largest shift at which `pairsAbove` is still at least `count`, or null when no shift has
 * that many (count above every pair).
 */
function lastShiftWithAtLeast(shifts: Shifts, count: number): number | null {
  if (count > shifts.pairs) return null;
  if (count <= 0) return Number.POSITIVE_INFINITY;
  return crossing(shifts, count, "atLeast");
}

/** The smallest shift at which `pairsAbove` is at most `count`, or null when count < 0. */
function firstShiftWithAtMost(shifts: Shifts, count: number): number | null {
  if (count < 0) return null;
  if (count >= shifts.pairs) return Number.NEGATIVE_INFINITY;
  return crossing(shifts, count, "moreThan");
}

/**
 * Where `pairsAbove` reaches `count`. It falls from all pairs below the lowest difference to none
 * above the highest, straight between whole buckets, so a bisection for the last whole shift
 * still before the crossing (with at least, or more than, `count` above) and one interpolation to
 * the next find it.
 */
function crossing(shifts: Shifts, count: number, before: "atLeast" | "moreThan"): number {
  let low = shifts.lowest - 1;
  let high = shifts.highest + 1;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    const above = abovePairs(shifts, middle);
    if (above > count || (before === "atLeast" && above === count)) low = middle;
    else high = middle;
  }
  const atLow = abovePairs(shifts, low);
  return low + (atLow - count) / (atLow - abovePairs(shifts, high));
}

/**
 * The Hodges–Lehmann shift and its interval, read off the same `pairsAbove` the test uses, so
 * they always agree with it. The estimate is the shift with half the pairs above it (Hodges &
 * Lehmann 1963, Ann. Math. Statist. 34(2): the median of the pairwise differences, here between
 * whole buckets as `pairsAbove` interpolates; the middle of the shifts with exactly half, when
 * several have). The interval holds every shift the test at critical value z rejects neither
 * way: `low` is the last shift still "slower" (pairsAbove ≥ n₁n₂/2 + zσ), `high` the first "not
 * slower" (pairsAbove ≤ n₁n₂/2 − zσ) — Moses' interval (Hollander, Wolfe & Chicken 2014, §4.3)
 * without its rounding to whole differences. Null when zσ > n₁n₂/2: too few pairs for that
 * confidence.
 */
export function shiftWithInterval(
  shifts: Shifts,
  sigma: number,
  z: number,
): { estimate: number; low: number; high: number } | null {
  const half = shifts.pairs / 2;
  const low = lastShiftWithAtLeast(shifts, half + z * sigma);
  const high = firstShiftWithAtMost(shifts, half - z * sigma);
  if (low === null || high === null) return null;
  const estimate = (lastShiftWithAtLeast(shifts, half)! + firstShiftWithAtMost(shifts, half)!) / 2;
  return { estimate, low, high };
}
