// The simulated rollouts of judge:sim: a healthy candidate at each traffic level and baseline
// error rate, and candidates with more errors or slower responses.

export interface Scenario {
  name: string;
  /** Scenarios with the same group share a healthy twin, on which thresholds are tuned. */
  group: string;
  healthy: boolean;
  /** Candidate requests a minute; the baseline gets nine times as many (a 10 % canary step). */
  perMinute: number;
  baselineErrorRate: number;
  candidateErrorRate: number;
  slowdown: number;
}

export const BASELINE_SHARE = 9;

const TRAFFIC = [50, 500, 5000];

function pct(rate: number): string {
  return `${(rate * 100).toFixed(rate < 0.01 ? 1 : 0)} %`;
}

export function scenarios(): Scenario[] {
  const all: Scenario[] = [];
  for (const baselineErrorRate of [0.01, 0.001]) {
    for (const perMinute of TRAFFIC) {
      const group = `${pct(baselineErrorRate)} errors, ${perMinute}/min`;
      const base = { group, perMinute, baselineErrorRate, slowdown: 1 };
      all.push({ ...base, name: "healthy", healthy: true, candidateErrorRate: baselineErrorRate });
      for (const pp of [1, 3]) {
        all.push({
          ...base,
          name: `+${pp} pp errors`,
          healthy: false,
          candidateErrorRate: baselineErrorRate + pp / 100,
        });
      }
      if (baselineErrorRate !== 0.01) continue;
      for (const slowdown of [1.3, 2]) {
        all.push({
          ...base,
          name: `${slowdown}× slower`,
          healthy: false,
          candidateErrorRate: baselineErrorRate,
          slowdown,
        });
      }
    }
  }
  return all;
}
