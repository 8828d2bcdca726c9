// A version's figures as consecutive windows (the status page's chart points): one-second
// buckets summed into steps of `stepMs` from `from`. Pure: rows in, summaries out.
import type { RouteCounts, SeriesQuery } from "../../../schemas/stats.ts";
import { sumRoutes } from "./route-counts.ts";
import { summarize, type WindowStats } from "./window-stats.ts";

export interface TimedRow {
  /** Start of the one-second bucket (epoch ms). */
  start: number;
  counts: RouteCounts;
}

/** Point i sums buckets starting in [from + i·step, from + (i+1)·step), none after `to`. */
export function seriesOf(rows: readonly TimedRow[], query: SeriesQuery): WindowStats[] {
  const { from, to, stepMs, routes } = query;
  const points = Math.ceil((to - from + 1) / stepMs);
  const byPoint: RouteCounts[][] = Array.from({ length: points }, () => []);
  for (const row of rows) {
    if (row.start < from || row.start > to) continue;
    byPoint[Math.floor((row.start - from) / stepMs)]!.push(row.counts);
  }
  return byPoint.map((counts, i) => {
    const start = from + i * stepMs;
    return summarize(sumRoutes(counts, routes), start, Math.min(to, start + stepMs - 1));
  });
}
