import { Random } from "random";
import { describe, expect, it } from "vitest";
import { alwaysValidPValue, criticalZ, logMixtureLikelihoodRatio } from "./always-valid.ts";
import { normalUpperTail } from "./rank-test.ts";

describe("normal-mixture likelihood ratio (mSPRT)", () => {
  it("is Robbins' mixture: the closed form equals the integral over θ ~ N(θ0, τ²)", () => {
    // ∫ φ((θ̂ − θ)/√v) / φ((θ̂ − θ0)/√v) · N(θ; θ0, τ²) dθ by the midpoint rule, θ0 = 0.
    for (const [z, v, tau] of [
      [2, 1e-4, 0.01],
      [3.5, 4e-6, 0.01],
      [-1, 1e-3, 0.1],
    ] as const) {
      const estimate = z * Math.sqrt(v);
      let integral = 0;
      const step = tau / 2000;
      for (let theta = -12 * tau; theta <= 12 * tau; theta += step) {
        const ratio = Math.exp((-((estimate - theta) ** 2) + estimate ** 2) / (2 * v));
        const prior = Math.exp(-(theta ** 2) / (2 * tau * tau)) / (tau * Math.sqrt(2 * Math.PI));
        integral += ratio * prior * step;
      }
      expect(logMixtureLikelihoodRatio(z, v, tau)).toBeCloseTo(Math.log(integral), 6);
    }
  });

  it("a worked example: z = 3, v = 1e-4, τ = 0.01 gives Λ = √½ · e^2.25 = 6.7088, p = 0.1491", () => {
    expect(Math.exp(logMixtureLikelihoodRatio(3, 1e-4, 0.01))).toBeCloseTo(6.7088, 4);
    expect(alwaysValidPValue(3, 1e-4, 0.01)).toBeCloseTo(0.1491, 4);
    expect(alwaysValidPValue(-3, 1e-4, 0.01)).toBe(1);
  });

  it("the critical z is where Λ reaches 1/α, and it is wider than a one-look z", () => {
    for (const v of [1e-6, 1e-4, 1e-2]) {
      const z = criticalZ(v, 0.01, 0.005);
      expect(logMixtureLikelihoodRatio(z, v, 0.01)).toBeCloseTo(Math.log(200), 9);
      expect(z).toBeGreaterThan(2.5758);
    }
  });
});

describe("false alarms under the null, looking again and again", () => {
  // 400 streams of 1,000 N(0, 1) observations; estimate = mean, variance = 1/n. A fixed z-test
  // at the same α, looked at as often, is the contrast: it must inflate, or this test proves nothing.
  const alpha = 0.05;
  const streams = 400;
  const length = 1000;
  const looksAt = (looks: number) =>
    Array.from({ length: looks }, (_, i) => Math.round(((i + 1) * length) / looks));

  function falseAlarmRates(looks: number) {
    const random = new Random(`null-${looks}`);
    const normal = random.normal();
    const at = new Set(looksAt(looks));
    let sequential = 0;
    let fixed = 0;
    for (let s = 0; s < streams; s++) {
      let sum = 0;
      let sequentialAlarm = false;
      let fixedAlarm = false;
      for (let n = 1; n <= length; n++) {
        sum += normal();
        if (!at.has(n)) continue;
        const z = sum / Math.sqrt(n);
        sequentialAlarm ||= alwaysValidPValue(z, 1 / n, 0.05) <= alpha;
        fixedAlarm ||= normalUpperTail(z) <= alpha;
      }
      if (sequentialAlarm) sequential++;
      if (fixedAlarm) fixed++;
    }
    return { sequential: sequential / streams, fixed: fixed / streams };
  }

  it("stays at or below α after 1, 10 and 200 looks, while a peeked fixed test inflates", () => {
    const one = falseAlarmRates(1);
    const ten = falseAlarmRates(10);
    const many = falseAlarmRates(200);
    // 400 streams: a rate of α has a standard error of 1.1 points; 2.5 of them is the slack.
    for (const rates of [one, ten, many]) expect(rates.sequential).toBeLessThanOrEqual(0.078);
    expect(many.fixed).toBeGreaterThan(2.5 * alpha);
    expect(many.sequential).toBeLessThan(many.fixed / 3);
  });
});
