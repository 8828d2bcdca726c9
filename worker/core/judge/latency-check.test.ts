import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addLatency, type Histogram } from "../metrics/histogram.ts";
import type { WindowCounts } from "../metrics/window-stats.ts";
import { checkLatency } from "./latency-check.ts";

const level = { alpha: 0.005, tau: 0.1 };

/** n latencies spread log-normally around `medianMs` (deterministic quantiles, no randomness). */
function latencies(n: number, medianMs: number): WindowCounts {
  const histogram: Histogram = {};
  for (let i = 0; i < n; i++) {
    const u = (i + 0.5) / n;
    // A logistic stand-in for the normal quantile: smooth, symmetric, heavy enough in the tail.
    addLatency(histogram, medianMs * Math.exp(0.35 * Math.log(u / (1 - u))));
  }
  return { requests: n, errors: 0, noAnswer: 0, histogram };
}

const rank = { pass: 0, inconclusive: 1, fail: 2 } as const;

describe("latency check", () => {
  it("a candidate twice as slow fails, its ratio interval around 2× within the 4 % buckets", () => {
    const check = checkLatency(latencies(2000, 200), latencies(18_000, 100), 1.2, level);
    expect(check.outcome).toBe("fail");
    expect(check.ratio!.low).toBeGreaterThan(1.2);
    expect(check.ratio!.estimate).toBeGreaterThan(1.9);
    expect(check.ratio!.estimate).toBeLessThan(2.1);
    expect(check.sentence).toMatch(
      /^median latency 2\d\d ms vs 100 ms baseline over 2,000 vs 18,000 requests: 2\.\d\d× \(\d\.\d\d× to \d\.\d\d×\), .* confidence it is slower than 1\.20× → fail$/,
    );
    expect(check.mannWhitney!.pValue).toBeLessThan(1e-6);
  });

  it("a candidate as fast as the baseline passes; one 10 % slower, under a 1.2× limit, passes too", () => {
    expect(checkLatency(latencies(2000, 100), latencies(18_000, 100), 1.2, level).outcome).toBe(
      "pass",
    );
    expect(checkLatency(latencies(5000, 110), latencies(45_000, 100), 1.2, level).outcome).toBe(
      "pass",
    );
  });

  it("a small sample is inconclusive even when its median looks slow", () => {
    const check = checkLatency(latencies(20, 130), latencies(180, 100), 1.2, level);
    expect(check.outcome).toBe("inconclusive");
  });

  it("identical histograms never fail", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 3000 }),
        fc.double({ min: 1, max: 5000, noNaN: true }),
        fc.double({ min: 1, max: 3, noNaN: true }),
        (n, median, maxRatio) => {
          const same = latencies(n, median);
          expect(checkLatency(same, same, maxRatio, level).outcome).not.toBe("fail");
        },
      ),
    );
  });

  it("a slower candidate never gets a better verdict", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 20, max: 2000 }),
        fc.double({ min: 0.5, max: 3, noNaN: true }),
        fc.double({ min: 1, max: 1.5, noNaN: true }),
        (n, factor, slower) => {
          const baseline = latencies(9 * n, 100);
          const fast = checkLatency(latencies(n, 100 * factor), baseline, 1.2, level);
          const slow = checkLatency(latencies(n, 100 * factor * slower), baseline, 1.2, level);
          expect(rank[slow.outcome]).toBeGreaterThanOrEqual(rank[fast.outcome]);
        },
      ),
    );
  });

  it("a candidate at the limit between two buckets is not failed", () => {
    // 100 requests spread over buckets 122–123, 900 in 118: 4.65 buckets, 1.04^4.65 = 1.2× slower.
    const candidate = { requests: 100, errors: 0, noAnswer: 0, histogram: { 122: 35, 123: 65 } };
    const baseline = { requests: 900, errors: 0, noAnswer: 0, histogram: { 118: 900 } };
    const check = checkLatency(candidate, baseline, 1.2, level);
    expect(check.outcome).toBe("inconclusive");
    expect(check.ratio!.estimate).toBeCloseTo(1.2, 2);
  });

  it("the verdict and the ratio interval never disagree, at maxLatencyRatio 1 too", () => {
    // A few neighbouring buckets each (narrow spreads, where whole buckets matter most) or wide
    // log-normal spreads.
    const few = fc
      .tuple(fc.integer({ min: 0, max: 3 }), fc.array(fc.nat(400), { minLength: 1, maxLength: 4 }))
      .map(([offset, counts]) => {
        const histogram: Histogram = {};
        counts.forEach((n, i) => {
          if (n > 0) histogram[100 + offset + i] = n;
        });
        const requests = counts.reduce((a, b) => a + b, 0);
        return { requests, errors: 0, noAnswer: 0, histogram };
      });
    const wide = fc
      .tuple(fc.integer({ min: 100, max: 3000 }), fc.double({ min: 50, max: 200, noNaN: true }))
      .map(([n, medianMs]) => latencies(n, medianMs));
    fc.assert(
      fc.property(
        fc.oneof(few, wide),
        fc.oneof(few, wide),
        fc.constantFrom(1, 1.05, 1.2, 1.5),
        (candidate, baseline, maxRatio) => {
          const check = checkLatency(candidate, baseline, maxRatio, level);
          if (!check.ratio) return;
          const { low, high } = check.ratio;
          // Fail exactly when the interval lies above the limit, pass when below it: never a
          // "fail" whose interval starts at the limit (1e-9: rounding).
          const [under, over] = [maxRatio * (1 - 1e-9), maxRatio * (1 + 1e-9)];
          if (check.outcome === "fail") expect(low).toBeGreaterThan(over);
          if (low > over) expect(check.outcome).toBe("fail");
          if (check.outcome === "pass") expect(high).toBeLessThan(under);
          if (high < under) expect(check.outcome).toBe("pass");
        },
      ),
      { numRuns: 500 },
    );
  });

  it("says why it cannot judge an empty or single-bucket window", () => {
    const empty = { requests: 0, errors: 0, noAnswer: 0, histogram: {} };
    expect(checkLatency(empty, latencies(100, 100), 1.2, level).sentence).toMatch(
      /no latencies to compare → inconclusive$/,
    );
    const flat = { requests: 50, errors: 0, noAnswer: 0, histogram: { 60: 50 } };
    expect(checkLatency(flat, flat, 1.2, level).sentence).toMatch(
      /every request in one latency bucket → inconclusive$/,
    );
  });
});
