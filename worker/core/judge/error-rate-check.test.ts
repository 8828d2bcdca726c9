import fc from "fast-check";
import { Random } from "random";
import { describe, expect, it } from "vitest";
import type { WindowCounts } from "../metrics/window-stats.ts";
import { checkErrorRate } from "./error-rate-check.ts";

const level = { alpha: 0.005, tau: 0.2 };
const window = (requests: number, errors: number): WindowCounts => ({
  requests,
  errors,
  noAnswer: 0,
  histogram: {},
});
const rank = { pass: 0, inconclusive: 1, fail: 2 } as const;

describe("error-rate check", () => {
  it("says the numbers in words: rates, counts, increase with its interval, confidence, outcome", () => {
    const check = checkErrorRate(window(1840, 53), window(16_500, 165), 0.5, level);
    expect(check.sentence).toMatch(
      /^error rate 2\.9 % vs 1\.0 % baseline over 1,840 vs 16,500 requests: \+1\.9 pp \(\+\d\.\d+ pp to \+\d\.\d pp\), \d+\.\d % confidence it is worse by more than 0\.50 pp → fail$/,
    );
    expect(check.outcome).toBe("fail");
    expect(check.evidence!.confidenceWorsePercent).toBeGreaterThanOrEqual(99.5);
    expect(check.increasePp!.low).toBeGreaterThan(0.5);
  });

  it("a candidate as good as the baseline passes once there is enough traffic", () => {
    const check = checkErrorRate(window(20_000, 200), window(180_000, 1800), 0.5, level);
    expect(check.outcome).toBe("pass");
    expect(check.increasePp!.high).toBeLessThan(0.5);
    expect(check.sentence).toMatch(/confidence it is not worse by more than 0\.50 pp → pass$/);
  });

  it("with too little traffic it is inconclusive and says which confidence is missing", () => {
    const check = checkErrorRate(window(200, 4), window(1800, 18), 0.5, level);
    expect(check.outcome).toBe("inconclusive");
    expect(check.sentence).toMatch(/, 99\.5 % needed → inconclusive$/);
  });

  it("identical candidate and baseline never fail, whatever the counts and limit", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 100_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (requests, rate, limitPp) => {
          const same = window(requests, Math.round(requests * rate));
          expect(checkErrorRate(same, same, limitPp, level).outcome).not.toBe("fail");
        },
      ),
    );
  });

  it("more candidate errors never move the verdict towards pass", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 10, max: 5000 }),
        fc.integer({ min: 10, max: 50_000 }),
        fc.double({ min: 0, max: 0.5, noNaN: true }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        fc.double({ min: 0, max: 5, noNaN: true }),
        (n, nb, baselineRate, candidateRate, limitPp) => {
          const baseline = window(nb, Math.round(nb * baselineRate));
          const errors = Math.round(n * candidateRate);
          const fewer = checkErrorRate(window(n, errors), baseline, limitPp, level);
          const more = checkErrorRate(window(n, Math.min(n, errors + 1)), baseline, limitPp, level);
          expect(rank[more.outcome]).toBeGreaterThanOrEqual(rank[fewer.outcome]);
          expect(more.evidence!.z).toBeGreaterThanOrEqual(fewer.evidence!.z);
        },
      ),
    );
  });

  it("the interval contains the estimate and agrees with the outcome", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 100, max: 20_000 }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 0.2, noNaN: true }),
        fc.double({ min: 0, max: 3, noNaN: true }),
        (n, candidateRate, baselineRate, limitPp) => {
          const check = checkErrorRate(
            window(n, Math.round(n * candidateRate)),
            window(9 * n, Math.round(9 * n * baselineRate)),
            limitPp,
            level,
          );
          const { low, estimate, high } = check.increasePp!;
          expect(low).toBeLessThanOrEqual(estimate);
          expect(estimate).toBeLessThanOrEqual(high);
          if (check.outcome === "fail") expect(low).toBeGreaterThanOrEqual(limitPp - 0.05);
          if (check.outcome === "pass") expect(high).toBeLessThanOrEqual(limitPp + 0.05);
        },
      ),
    );
  });
});

describe("error-rate check under the null, judged every minute", () => {
  // 400 healthy rollouts at the limit itself (limit 0 pp: the candidate exactly as bad as the
  // baseline), 50 candidate and 450 baseline requests a minute, Poisson errors, judged each minute
  // for an hour at α = 5 %, so a rate is measurable in a second.
  function falseAlarms(errorRate: number, looks: number): number {
    const random = new Random(`error-null-${errorRate}-${looks}`);
    const candidateErrors = random.poisson(50 * errorRate);
    const baselineErrors = random.poisson(450 * errorRate);
    let alarms = 0;
    for (let run = 0; run < 400; run++) {
      const candidate = window(0, 0);
      const baseline = window(0, 0);
      let alarmed = false;
      for (let minute = 1; minute <= 60; minute++) {
        candidate.requests += 50;
        candidate.errors += candidateErrors();
        baseline.requests += 450;
        baseline.errors += baselineErrors();
        if (minute % (60 / looks) !== 0 || candidate.requests < 100) continue;
        const check = checkErrorRate(candidate, baseline, 0, { alpha: 0.05, tau: 0.2 });
        alarmed ||= check.outcome === "fail";
      }
      if (alarmed) alarms++;
    }
    return alarms / 400;
  }

  it("stays at or below α whether looked at once, 10 times or every minute", () => {
    for (const errorRate of [0.01, 0.001]) {
      for (const looks of [1, 10, 60])
        expect(falseAlarms(errorRate, looks)).toBeLessThanOrEqual(0.05);
    }
  });
});
