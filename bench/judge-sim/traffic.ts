// Simulated traffic of one version for judge:sim: each minute's requests as a Poisson process,
// their latencies drawn from a realistic distribution straight into the log histogram's buckets.
import type { Random } from "random";
import { errorFunction } from "simple-statistics";
import { bucketIndex } from "../../worker/core/metrics/histogram.ts";
import type { WindowCounts } from "../../worker/core/metrics/window-stats.ts";

/**
 * Service latency: a fast body and a slow tail (cache misses, cold paths), each log-normal, the
 * usual shape of a web API's latency. p50 ≈ 82 ms, p95 ≈ 250 ms, p99 ≈ 540 ms.
 */
export const LATENCY_MIXTURE: LatencyMixture = [
  { weight: 0.9, medianMs: 80, sigma: 0.35 },
  { weight: 0.1, medianMs: 250, sigma: 0.6 },
];

/** Log-normal components: weight, median (ms) and σ of ln(latency). */
export type LatencyMixture = ReadonlyArray<{ weight: number; medianMs: number; sigma: number }>;

function latencyCdf(ms: number, slowdown: number, mixture: LatencyMixture): number {
  if (ms <= 0) return 0;
  return mixture.reduce((sum, { weight, medianMs, sigma }) => {
    const z = Math.log(ms / (medianMs * slowdown)) / sigma;
    return sum + weight * 0.5 * (1 + errorFunction(z / Math.SQRT2));
  }, 0);
}

/** Probability of each histogram bucket (index → p) for latencies `slowdown` times the baseline's. */
export function bucketProbabilities(
  slowdown: number,
  mixture: LatencyMixture = LATENCY_MIXTURE,
): Array<[number, number]> {
  const buckets: Array<[number, number]> = [];
  // Bucket i ≥ 1 holds [γ^(i−1), γ^i) ms; bucket 0 holds [0, 1). Walk until the tail is negligible.
  let lower = 0;
  for (let upper = 1; lower < 1e6; upper *= 1.04) {
    const p = latencyCdf(upper, slowdown, mixture) - latencyCdf(lower, slowdown, mixture);
    if (p > 1e-9) buckets.push([bucketIndex(lower === 0 ? 0.5 : lower * 1.0001), p]);
    lower = upper;
  }
  return buckets;
}

/** A version's traffic: requests a minute, error rate, latency slowdown. */
export interface VersionTraffic {
  perMinute: number;
  errorRate: number;
  slowdown: number;
  /** The baseline's latency distribution; LATENCY_MIXTURE when absent. */
  latency?: LatencyMixture;
}

/** Draws one minute of a version's outcomes into a cumulative window, bucket by bucket. */
export function minuteSampler(random: Random, traffic: VersionTraffic) {
  const draws = bucketProbabilities(traffic.slowdown, traffic.latency).flatMap(([index, p]) => {
    const ok = traffic.perMinute * (1 - traffic.errorRate) * p;
    const failed = traffic.perMinute * traffic.errorRate * p;
    return [
      { index, error: false, draw: ok > 0 ? random.poisson(ok) : () => 0 },
      { index, error: true, draw: failed > 0 ? random.poisson(failed) : () => 0 },
    ];
  });
  return (window: WindowCounts): void => {
    for (const { index, error, draw } of draws) {
      const n = draw();
      if (n === 0) continue;
      window.requests += n;
      if (error) window.errors += n;
      window.histogram[index] = (window.histogram[index] ?? 0) + n;
    }
  };
}
