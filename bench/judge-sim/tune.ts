// The threshold judge tuned for a fair comparison: per traffic level and baseline error rate, the
// smallest error-delta and p95-ratio limits that roll back no more healthy runs than the
// statistical judge's matching check did, on the same simulated healthy runs.

/** Minute (1-based) and candidate requests at a decision. */
export interface Moment {
  minute: number;
  requests: number;
}

export interface TunedThreshold {
  failureLimit: number;
  maxErrorRateDeltaPp: number;
  maxLatencyRatio: number;
}

interface HealthyRun {
  strictErrorFail: boolean;
  strictLatencyFail: boolean;
  requests: number[];
  errorDeltaPp: number[];
  p95Ratio: number[];
}

/** The (f+1)-th largest judged value of a run: the limit it must stay at or below to survive. */
function survivalLimit(values: number[], failureLimit: number): number {
  const judged = values.filter((v) => !Number.isNaN(v)).sort((a, b) => b - a);
  return judged[failureLimit] ?? Number.NEGATIVE_INFINITY;
}

/** The smallest limit that at most `allowed` of the runs exceed. */
function tuneLimit(runs: number[][], failureLimit: number, allowed: number): number {
  const needed = runs.map((values) => survivalLimit(values, failureLimit)).sort((a, b) => b - a);
  return Math.max(needed[allowed] ?? Number.NEGATIVE_INFINITY, 0);
}

export function tune(healthy: HealthyRun[], failureLimit: number): TunedThreshold {
  return {
    failureLimit,
    maxErrorRateDeltaPp: tuneLimit(
      healthy.map((run) => run.errorDeltaPp),
      failureLimit,
      healthy.filter((run) => run.strictErrorFail).length,
    ),
    maxLatencyRatio: tuneLimit(
      healthy.map((run) => run.p95Ratio),
      failureLimit,
      healthy.filter((run) => run.strictLatencyFail).length,
    ),
  };
}

/** analysis.ts's two relative checks with tuned limits, on one look's figures. */
export function tunedLookFails(errorDeltaPp: number, p95Ratio: number, limits: TunedThreshold) {
  return errorDeltaPp > limits.maxErrorRateDeltaPp || p95Ratio > limits.maxLatencyRatio;
}

/** decideTick's failure count over a healthy run's recorded looks. */
export function tunedRollback(run: HealthyRun, limits: TunedThreshold): Moment | null {
  let failures = 0;
  for (let look = 0; look < run.requests.length; look++) {
    if (!tunedLookFails(run.errorDeltaPp[look]!, run.p95Ratio[look]!, limits)) continue;
    if (++failures > limits.failureLimit)
      return { minute: look + 1, requests: run.requests[look]! };
  }
  return null;
}

export interface Outcome {
  rate: number;
  /** Medians over all runs, a run without a decision counting as never (null past half). */
  medianRequests: number | null;
  medianMinutes: number | null;
  /** Requests to a decision summed over the runs, a run without one counting a whole horizon. */
  cappedRequests: number;
  runs: number;
}

export function summarizeMoments(moments: Array<Moment | null>, horizonRequests = 0): Outcome {
  const median = (values: number[]) => {
    const middle = values.sort((a, b) => a - b)[Math.floor((values.length - 1) / 2)];
    return middle === undefined || !Number.isFinite(middle) ? null : middle;
  };
  return {
    rate: moments.filter((m) => m !== null).length / moments.length,
    medianRequests: median(moments.map((m) => m?.requests ?? Number.POSITIVE_INFINITY)),
    medianMinutes: median(moments.map((m) => m?.minute ?? Number.POSITIVE_INFINITY)),
    cappedRequests: moments.reduce((sum, m) => sum + (m?.requests ?? horizonRequests), 0),
    runs: moments.length,
  };
}
