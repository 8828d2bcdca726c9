import fc from "fast-check";
import { wilcoxonRankSum } from "simple-statistics";
import { describe, expect, it } from "vitest";
import type { Histogram } from "../metrics/histogram.ts";
import {
  pairsAbove,
  pairwiseShifts,
  rankSum,
  rankSumPValue,
  shiftWithInterval,
  toBuckets,
} from "./rank-test.ts";

function histogramOf(values: number[]): Histogram {
  const histogram: Histogram = {};
  for (const value of values) histogram[value] = (histogram[value] ?? 0) + 1;
  return histogram;
}

// R's ?wilcox.test example (R Core Team, package stats): ozone in May vs August, New York 1973
// (the airquality data set, NA removed). Many ties. R prints
//   wilcox.test(Ozone ~ Month, data = airquality, subset = Month %in% c(5, 8))
//   W = 127.5, p-value = 0.0001208
const MAY = [
  41, 36, 12, 18, 28, 23, 19, 8, 7, 16, 11, 14, 18, 14, 34, 6, 30, 11, 1, 11, 4, 32, 23, 45, 115,
  37,
];
const AUGUST = [
  39, 9, 16, 78, 35, 66, 122, 89, 110, 44, 28, 65, 22, 59, 23, 31, 44, 21, 9, 45, 168, 73, 76, 118,
  84, 85,
];

const sample = fc.array(fc.integer({ min: 1, max: 12 }), { minLength: 1, maxLength: 40 });

describe("Mann–Whitney on histograms", () => {
  it("reproduces R's published airquality example with ties: W = 127.5, p = 0.0001208", () => {
    const rank = rankSum(toBuckets(histogramOf(MAY)), toBuckets(histogramOf(AUGUST)));
    expect(rank.u).toBe(127.5);
    expect(rankSumPValue(rank).pValue).toBeCloseTo(0.0001208, 6);
  });

  it("U equals the rank sum with midranks (simple-statistics) minus n(n+1)/2, ties or not", () => {
    fc.assert(
      fc.property(sample, sample, (candidate, baseline) => {
        const rank = rankSum(toBuckets(histogramOf(candidate)), toBuckets(histogramOf(baseline)));
        const n = candidate.length;
        expect(rank.u).toBeCloseTo(wilcoxonRankSum(candidate, baseline) - (n * (n + 1)) / 2, 9);
      }),
    );
  });

  it("the tie-corrected variance matches its definition: Var(U) over all rank permutations", () => {
    // Small enough to enumerate every split of the pooled sample: the exact permutation variance.
    const candidate = [1, 2, 2, 3];
    const baseline = [2, 3, 3];
    const pooled = [...candidate, ...baseline];
    const us: number[] = [];
    for (let mask = 0; mask < 1 << pooled.length; mask++) {
      const picked = pooled.filter((_, i) => mask & (1 << i));
      if (picked.length !== candidate.length) continue;
      const rest = pooled.filter((_, i) => !(mask & (1 << i)));
      us.push(rankSum(toBuckets(histogramOf(picked)), toBuckets(histogramOf(rest))).u);
    }
    const mean = us.reduce((a, b) => a + b, 0) / us.length;
    const variance = us.reduce((a, u) => a + (u - mean) ** 2, 0) / us.length;
    const { sigma } = rankSum(toBuckets(histogramOf(candidate)), toBuckets(histogramOf(baseline)));
    expect(sigma ** 2).toBeCloseTo(variance, 9);
  });
});

describe("Hodges–Lehmann shift and its interval", () => {
  function allDifferences(candidate: number[], baseline: number[]): number[] {
    return candidate.flatMap((c) => baseline.map((b) => c - b)).sort((a, b) => a - b);
  }
  const listedAbove = (listed: number[], shift: number) =>
    listed.reduce((sum, d) => sum + (d > shift ? 1 : d === shift ? 0.5 : 0), 0);

  it("pairs above a whole shift match the listed differences (ties half); between, the line between its neighbours", () => {
    fc.assert(
      fc.property(sample, sample, fc.double({ min: -12, max: 12, noNaN: true }), (c, b, shift) => {
        const shifts = pairwiseShifts(toBuckets(histogramOf(c)), toBuckets(histogramOf(b)));
        const listed = allDifferences(c, b);
        expect(shifts.pairs).toBe(listed.length);
        const whole = Math.floor(shift);
        expect(pairsAbove(shifts, whole)).toBe(listedAbove(listed, whole));
        const part = shift - whole;
        const between =
          (1 - part) * listedAbove(listed, whole) + part * listedAbove(listed, whole + 1);
        expect(pairsAbove(shifts, shift)).toBeCloseTo(between, 9);
      }),
    );
  });

  it("a candidate exactly k + φ buckets slower, spread evenly within its buckets, has half its pairs above k + φ", () => {
    // Baseline: one request at every 1/100 of a bucket over 30 buckets; the candidate is the same
    // latencies shifted by 4.65 buckets (1.2× on the 4 % grid), then both read as whole buckets.
    const positions = Array.from({ length: 3000 }, (_, i) => i / 100);
    const shift = Math.log(1.2) / Math.log(1.04);
    const baseline = histogramOf(positions.map(Math.floor));
    const candidate = histogramOf(positions.map((p) => Math.floor(p + shift)));
    const shifts = pairwiseShifts(toBuckets(candidate), toBuckets(baseline));
    expect(pairsAbove(shifts, shift) / shifts.pairs).toBeCloseTo(0.5, 3);
  });

  it("the estimate has half the pairs above it, within a bucket of the median difference (Hodges & Lehmann 1963)", () => {
    fc.assert(
      fc.property(sample, sample, (c, b) => {
        const candidate = toBuckets(histogramOf(c));
        const baseline = toBuckets(histogramOf(b));
        const shifts = pairwiseShifts(candidate, baseline);
        const listed = allDifferences(c, b);
        const m = listed.length;
        const median = m % 2 ? listed[(m - 1) / 2]! : (listed[m / 2 - 1]! + listed[m / 2]!) / 2;
        const interval = shiftWithInterval(shifts, rankSum(candidate, baseline).sigma, 0)!;
        expect(pairsAbove(shifts, interval.estimate)).toBeCloseTo(m / 2, 9);
        expect(Math.abs(interval.estimate - median)).toBeLessThanOrEqual(1);
      }),
    );
  });

  it("the interval is exactly the shifts the test rejects neither way, at any critical value", () => {
    fc.assert(
      fc.property(
        sample,
        sample,
        fc.double({ min: 0.1, max: 3, noNaN: true }),
        // Whole shifts (maxLatencyRatio 1 is shift 0) and shifts between buckets.
        fc.oneof(fc.integer({ min: -12, max: 12 }), fc.double({ min: -12, max: 12, noNaN: true })),
        (c, b, z, shift) => {
          const candidate = toBuckets(histogramOf(c));
          const baseline = toBuckets(histogramOf(b));
          const { sigma } = rankSum(candidate, baseline);
          const shifts = pairwiseShifts(candidate, baseline);
          const interval = shiftWithInterval(shifts, sigma, z);
          const statistic = (pairsAbove(shifts, shift) - shifts.pairs / 2) / sigma;
          if (!interval) {
            expect(z * sigma).toBeGreaterThan(shifts.pairs / 2);
            return;
          }
          // "Slower than shift" exactly below low, "not slower" exactly above high (1e-9: rounding);
          // a whole shift on a bound is no exception.
          if (statistic >= z) expect(shift).toBeLessThan(interval.low + 1e-9);
          if (shift < interval.low - 1e-9) expect(statistic).toBeGreaterThanOrEqual(z);
          if (statistic <= -z) expect(shift).toBeGreaterThan(interval.high - 1e-9);
          if (shift > interval.high + 1e-9) expect(statistic).toBeLessThanOrEqual(-z);
          expect(interval.low).toBeLessThanOrEqual(interval.estimate);
          expect(interval.estimate).toBeLessThanOrEqual(interval.high);
        },
      ),
    );
  });

  it("on R's airquality example the interval lies below zero: May's ozone is lower than August's", () => {
    const candidate = toBuckets(histogramOf(MAY));
    const baseline = toBuckets(histogramOf(AUGUST));
    const { sigma } = rankSum(candidate, baseline);
    const interval = shiftWithInterval(pairwiseShifts(candidate, baseline), sigma, 1.96)!;
    expect(interval.high).toBeLessThan(0);
    // Moses' whole-difference bounds (C = ⌊n₁n₂/2 − zσ⌋) are this interval rounded outwards.
    const listed = allDifferences(MAY, AUGUST);
    const c = Math.floor(listed.length / 2 - 1.96 * sigma);
    expect(interval.low).toBeGreaterThanOrEqual(listed[c]! - 1);
    expect(interval.high).toBeLessThanOrEqual(listed[listed.length - 1 - c]! + 1);
  });
});
