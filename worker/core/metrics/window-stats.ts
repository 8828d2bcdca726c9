// Figures of one version over a time window, as the stats Durable Object returns them and the
// rollout analysis reads them.
import { type Histogram, quantile } from "./histogram.ts";

export interface WindowCounts {
  requests: number;
  errors: number;
  /** Requests the origin never answered (timeout, refused); counted in errors too. */
  noAnswer: number;
  histogram: Histogram;
}

export interface WindowStats extends WindowCounts {
  from: number;
  to: number;
  errorRatePercent: number | null;
  p50: number | null;
  p95: number | null;
  p99: number | null;
}

export function emptyCounts(): WindowCounts {
  return { requests: 0, errors: 0, noAnswer: 0, histogram: {} };
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
