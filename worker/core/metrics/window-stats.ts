// Figures of one version over a time window, as the stats Durable Object returns them and the
// rollout analysis reads them.
import type { WindowCounts, WindowStats } from "../../../schemas/stats.ts";
import { quantile } from "./histogram.ts";

export type { WindowCounts, WindowStats };

export function emptyCounts(): WindowCounts {
  return { requests: 0, errors: 0, noAnswer: 0, clientFaults: 0, histogram: {} };
}

export function summarize(counts: WindowCounts, from: number, to: number): WindowStats {
  return {
    ...counts,
    from,
    to,
    errorRatePercent: counts.requests === 0 ? null : (counts.errors / counts.requests) * 100,
    p50: quantile(counts.histogram, 0.5),
    p95: quantile(counts.histogram, 0.95),
    p99: quantile(counts.histogram, 0.99),
  };
}
