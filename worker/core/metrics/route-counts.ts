// Sums of per-route counters: a window or a total over the routes asked for (all when none).
import type { RouteCounts } from "../../../schemas/stats.ts";
import { mergeInto } from "./histogram.ts";
import { VISITOR_LIMIT_ROUTE } from "./visitor-limit.ts";
import { emptyCounts, type WindowCounts } from "./window-stats.ts";

/** Adds up rows of the routes asked for; every row when `routes` is undefined. */
export function sumRoutes(
  rows: readonly RouteCounts[],
  routes: readonly string[] | undefined,
): WindowCounts {
  const wanted = routes && new Set(routes);
  const counts = emptyCounts();
  for (const row of rows) {
    if (wanted && !wanted.has(row.route)) {
      // Analysed requests past their visitor's bound: left out, but said how many.
      if (row.route === VISITOR_LIMIT_ROUTE)
        counts.overVisitorLimit = (counts.overVisitorLimit ?? 0) + row.requests;
      continue;
    }
    counts.requests += row.requests;
    counts.errors += row.errors;
    counts.noAnswer += row.noAnswer;
    counts.clientFaults = (counts.clientFaults ?? 0) + row.clientFaults;
    mergeInto(counts.histogram, row.histogram);
  }
  return counts;
}

/** `row` plus `more`, as a new row (the stored row is replaced by it). */
export function addCounts(row: RouteCounts | undefined, more: RouteCounts): RouteCounts {
  if (!row) return { ...more, histogram: { ...more.histogram } };
  const histogram = { ...row.histogram };
  mergeInto(histogram, more.histogram);
  return {
    route: row.route,
    requests: row.requests + more.requests,
    errors: row.errors + more.errors,
    noAnswer: row.noAnswer + more.noAnswer,
    clientFaults: row.clientFaults + more.clientFaults,
    histogram,
  };
}
