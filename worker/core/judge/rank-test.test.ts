import fc from "fast-check";
import { wilcoxonRankSum } from "simple-statistics";
import { describe, expect, it } from "vitest";
import type { Histogram } from "../metrics/histogram.ts";
import {
  orderStatistic,
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

describe("Hodges–Lehmann shift and Moses interval", () => {
  function allDifferences(candidate: number[], baseline: number[]): number[] {
    return candidate.flatMap((c) => baseline.map((b) => c - b)).sort((a, b) => a - b);
  }

  it("order statistics and pairs above a shift match the listed pairwise differences", () => {
    fc.assert(
      fc.property(sample, sample, fc.double({ min: -12, max: 12, noNaN: true }), (c, b, shift) => {
        const shifts = pairwiseShifts(toBuckets(histogramOf(c)), toBuckets(histogramOf(b)));
        const listed = allDifferences(c, b);
        expect(shifts.pairs).toBe(listed.length);
        for (const k of [1, Math.ceil(listed.length / 2), listed.length])
          expect(orderStatistic(shifts, k)).toBe(listed[k - 1]);
        const above = listed.reduce((sum, d) => sum + (d > shift ? 1 : d === shift ? 0.5 : 0), 0);
        expect(pairsAbove(shifts, shift)).toBe(above);
        const whole = Math.round(shift);
        const aboveWhole = listed.reduce((s, d) => s + (d > whole ? 1 : d === whole ? 0.5 : 0), 0);
        expect(pairsAbove(shifts, whole)).toBe(aboveWhole);
      }),
    );
  });

  it("the estimate is the median of all pairwise differences (Hodges & Lehmann 1963)", () => {
    fc.assert(
      fc.property(sample, sample, (c, b) => {
        const candidate = toBuckets(histogramOf(c));
        const baseline = toBuckets(histogramOf(b));
        const listed = allDifferences(c, b);
        const m = listed.length;
        const median = m % 2 ? listed[(m - 1) / 2]! : (listed[m / 2 - 1]! + listed[m / 2]!) / 2;
        const interval = shiftWithInterval(
          pairwiseShifts(candidate, baseline),
          rankSum(candidate, baseline).sigma,
          0,
        );
        expect(interval?.estimate).toBe(median);
      }),
    );
  });

  it("the interval is the (C+1)-th smallest and largest difference, C = ⌊n₁n₂/2 − zσ⌋", () => {
    const candidate = toBuckets(histogramOf(MAY));
    const baseline = toBuckets(histogramOf(AUGUST));
    const { sigma } = rankSum(candidate, baseline);
    const listed = allDifferences(MAY, AUGUST);
    const c = Math.floor(listed.length / 2 - 1.96 * sigma);
    const interval = shiftWithInterval(pairwiseShifts(candidate, baseline), sigma, 1.96);
    expect(interval).toMatchObject({ low: listed[c], high: listed[listed.length - 1 - c] });
    // May's ozone is lower than August's: the whole interval lies below zero.
    expect(interval!.high).toBeLessThan(0);
  });
});
