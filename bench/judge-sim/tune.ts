// The threshold judge tuned for a fair comparison: per traffic level and baseline error rate, the
// smallest error-delta and p95-ratio limits that roll back no more healthy runs than the
// statistical judge's matching check did, on the same simulated healthy runs.
import type { Moment, RunRecord } from "./run-scenario.ts";

export interface TunedThreshold {
  failureLimit: number;
  maxErrorRateDeltaPp: number;
  maxLatencyRatio: number;
}

/** The (f+1)-th largest judged value of a run: the limit it needs to stay below to survive. */
function survivalLimit(values: number[], failureLimit: number): number {
  const judged = values.filter((v) => !Number.isNaN(v)).sort((a, b) => b - a);
  return judged[failureLimit] ?? Number.NEGATIVE_INFINITY;
}

/** The smallest limit that at most `allowed` of the runs exceed. */
function tuneLimit(runs: number[][], failureLimit: number, allowed: number): number {
  const needed = runs.map((values) => survivalLimit(values, failureLimit)).sort((a, b) => b - a);
  return Math.max(needed[allowed] ?? Number.NEGATIVE_INFINITY, 0);
}

export function tune(healthy: RunRecord[], failureLimit: number): TunedThreshold {
  return {
    failureLimit,
    maxErrorRateDeltaPp: tuneLimit(
      healthy.map((run) => run.errorDeltaPp),
      failureLimit,
      healthy.filter((run) => run.statErrorFail).length,
    ),
    maxLatencyRatio: tuneLimit(
      healthy.map((run) => run.p95Ratio),
      failureLimit,
      healthy.filter((run) => run.statLatencyFail).length,
    ),
  };
}

/** analysis.ts's two relative checks with tuned limits, and decideTick's failure count. */
export function tunedRollback(run: RunRecord, limits: TunedThreshold): Moment | null {
  let failures = 0;
  for (let look = 0; look < run.requests.length; look++) {
    const failed =
      run.errorDeltaPp[look]! > limits.maxErrorRateDeltaPp ||
      run.p95Ratio[look]! > limits.maxLatencyRatio;
    if (failed && ++failures > limits.failureLimit)
      return { minute: look + 1, requests: run.requests[look]! };
  }
  return null;
}

export interface Outcome {
  rate: number;
  /** Medians over all runs, a run without a decision counting as never (null past half). */
  medianRequests: number | null;
  medianMinutes: number | null;
}

export function summarizeMoments(moments: Array<Moment | null>): Outcome {
  const median = (values: number[]) => {
    const sorted = values.sort((a, b) => a - b);
    const middle = sorted[Math.floor((sorted.length - 1) / 2)];
    return middle === undefined || !Number.isFinite(middle) ? null : middle;
  };
  return {
    rate: moments.filter((m) => m !== null).length / moments.length,
    medianRequests: median(moments.map((m) => m?.requests ?? Number.POSITIVE_INFINITY)),
    medianMinutes: median(moments.map((m) => m?.minute ?? Number.POSITIVE_INFINITY)),
  };
}
