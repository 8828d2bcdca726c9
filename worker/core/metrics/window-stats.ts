// Figures of one version over a time window, as the stats Durable Object returns them and the
// rollout analysis reads them.
import type { WindowCounts, WindowStats } from "../../../schemas/stats.ts";
import { mergeInto, quantile } from "./histogram.ts";

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

/**
 * One window from the same window of each of a version's stats objects: counts add, histograms
 * merge, percentiles are taken of the merged histogram (never averaged).
 */
export function mergeWindows(parts: readonly WindowStats[], from: number, to: number): WindowStats {
  const counts = emptyCounts();
  for (const part of parts) {
    counts.requests += part.requests;
    counts.errors += part.errors;
    counts.noAnswer += part.noAnswer;
    counts.clientFaults = (counts.clientFaults ?? 0) + (part.clientFaults ?? 0);
    if (part.overVisitorLimit !== undefined)
      counts.overVisitorLimit = (counts.overVisitorLimit ?? 0) + part.overVisitorLimit;
    mergeInto(counts.histogram, part.histogram);
  }
  return summarize(counts, from, to);
}
