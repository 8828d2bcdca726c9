// One scenario of judge:sim: many seeded rollouts, each judged every simulated minute by the
// statistical judge and by the threshold analysis (worker/core/rollout/analysis.ts, called as is).
import { Random } from "random";
import type { JudgeSettings } from "../../schemas/judge.ts";
import { Analysis } from "../../schemas/rollout.ts";
import { judgeWindow } from "../../worker/core/judge/judge.ts";
import { emptyCounts, summarize } from "../../worker/core/metrics/window-stats.ts";
import { analyzeWindow } from "../../worker/core/rollout/analysis.ts";
import { BASELINE_SHARE, type Scenario } from "./scenarios.ts";
import { minuteSampler } from "./traffic.ts";

/** The analysis block of PRODUCT.md's example config: what a threshold user runs today. */
export const THRESHOLD_DEFAULTS = Analysis.parse({
  minRequests: 100,
  maxErrorRatePercent: 5,
  maxP95Ms: 2000,
  maxErrorRateDeltaPercent: 3,
  maxLatencyRatio: 1.5,
  failureLimit: 1,
});

/** Minute (1-based) and candidate requests at the first decision, or null within the horizon. */
export interface Moment {
  minute: number;
  requests: number;
}

export interface RunRecord {
  statRollback: Moment | null;
  statPass: Moment | null;
  statErrorFail: boolean;
  statLatencyFail: boolean;
  defaultsRollback: Moment | null;
  /** Per look: candidate requests, error-rate difference (pp) and p95 ratio (NaN when not judged). */
  requests: number[];
  errorDeltaPp: number[];
  p95Ratio: number[];
}

export function simulateRun(
  scenario: Scenario,
  seed: string,
  minutes: number,
  settings: JudgeSettings,
): RunRecord {
  const random = new Random(seed);
  const drawCandidate = minuteSampler(random, {
    perMinute: scenario.perMinute,
    errorRate: scenario.candidateErrorRate,
    slowdown: scenario.slowdown,
  });
  const drawBaseline = minuteSampler(random, {
    perMinute: scenario.perMinute * BASELINE_SHARE,
    errorRate: scenario.baselineErrorRate,
    slowdown: 1,
  });
  const candidate = emptyCounts();
  const baseline = emptyCounts();
  const record: RunRecord = {
    statRollback: null,
    statPass: null,
    statErrorFail: false,
    statLatencyFail: false,
    defaultsRollback: null,
    requests: [],
    errorDeltaPp: [],
    p95Ratio: [],
  };
  let failures = 0;
  for (let minute = 1; minute <= minutes; minute++) {
    drawCandidate(candidate);
    drawBaseline(baseline);
    const at = { minute, requests: candidate.requests };
    // A healthy run is judged to the end, so each check's false alarms are all counted.
    if (!record.statRollback || scenario.healthy) {
      const verdict = judgeWindow(settings, candidate, baseline);
      for (const check of verdict.checks) {
        if (check.outcome !== "fail") continue;
        if (check.check === "errorRate") record.statErrorFail = true;
        else record.statLatencyFail = true;
      }
      if (verdict.outcome === "fail") record.statRollback ??= at;
      if (verdict.outcome === "pass") record.statPass ??= at;
    }
    const c = summarize(candidate, 0, minute);
    const b = summarize(baseline, 0, minute);
    if (!record.defaultsRollback) {
      // decideTick's rule: failed checks add up within the step; past failureLimit, roll back.
      const result = analyzeWindow(THRESHOLD_DEFAULTS, c, b);
      if (result.kind === "failed" && ++failures > THRESHOLD_DEFAULTS.failureLimit)
        record.defaultsRollback = at;
    }
    const judged = c.requests >= THRESHOLD_DEFAULTS.minRequests;
    record.requests.push(c.requests);
    record.errorDeltaPp.push(
      judged ? (c.errorRatePercent ?? 0) - (b.errorRatePercent ?? 0) : Number.NaN,
    );
    record.p95Ratio.push(judged && c.p95 && b.p95 ? c.p95 / b.p95 : Number.NaN);
  }
  return record;
}

export function simulateScenario(
  scenario: Scenario,
  runs: number,
  seed: number,
  minutes: number,
  settings: JudgeSettings,
): RunRecord[] {
  return Array.from({ length: runs }, (_, run) =>
    simulateRun(scenario, `${seed}:${scenario.group}:${scenario.name}:${run}`, minutes, settings),
  );
}
