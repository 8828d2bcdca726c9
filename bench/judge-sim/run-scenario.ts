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
import { type Moment, type TunedThreshold, tunedLookFails } from "./tune.ts";

/** The analysis block of PRODUCT.md's example config: what a threshold user runs today. */
export const THRESHOLD_DEFAULTS = Analysis.parse({
  minRequests: 100,
  maxErrorRatePercent: 5,
  maxP95Ms: 2000,
  maxErrorRateDeltaPercent: 3,
  maxLatencyRatio: 1.5,
  failureLimit: 1,
});

/** The statistical judge as configured (defaults) and without margins (for the fair comparison). */
export interface Judges {
  defaults: JudgeSettings;
  noMargin: JudgeSettings;
}

export interface RunRecord {
  statRollback: Moment | null;
  statPass: Moment | null;
  strictRollback: Moment | null;
  /** Whether each check of the judge without margins ever failed: what the tuning matches. */
  strictErrorFail: boolean;
  strictLatencyFail: boolean;
  defaultsRollback: Moment | null;
  /** One per tuned threshold handed in (bad scenarios). */
  tunedRollbacks: Array<Moment | null>;
  /** Per look, healthy scenarios only: candidate requests, error delta (pp), p95 ratio; NaN when not judged. */
  requests: number[];
  errorDeltaPp: number[];
  p95Ratio: number[];
}

export function simulateRun(
  scenario: Scenario,
  seed: string,
  minutes: number,
  judges: Judges,
  tuned: TunedThreshold[],
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
  const run: RunRecord = {
    statRollback: null,
    statPass: null,
    strictRollback: null,
    strictErrorFail: false,
    strictLatencyFail: false,
    defaultsRollback: null,
    tunedRollbacks: tuned.map(() => null),
    requests: [],
    errorDeltaPp: [],
    p95Ratio: [],
  };
  let failures = 0;
  const tunedFailures = tuned.map(() => 0);
  // A healthy run is judged to the end, so every false alarm is counted; a bad one until all decided.
  const decided = () =>
    !scenario.healthy &&
    run.statRollback &&
    run.strictRollback &&
    run.defaultsRollback &&
    run.tunedRollbacks.every((moment) => moment !== null);
  for (let minute = 1; minute <= minutes && !decided(); minute++) {
    drawCandidate(candidate);
    drawBaseline(baseline);
    const at = { minute, requests: candidate.requests };
    if (!run.statRollback || scenario.healthy) {
      const verdict = judgeWindow(judges.defaults, candidate, baseline);
      if (verdict.outcome === "fail") run.statRollback ??= at;
      if (verdict.outcome === "pass") run.statPass ??= at;
    }
    if (!run.strictRollback || scenario.healthy) {
      const verdict = judgeWindow(judges.noMargin, candidate, baseline);
      for (const check of verdict.checks) {
        if (check.outcome !== "fail") continue;
        if (check.check === "errorRate") run.strictErrorFail = true;
        else run.strictLatencyFail = true;
      }
      if (verdict.outcome === "fail") run.strictRollback ??= at;
    }
    const c = summarize(candidate, 0, minute);
    const b = summarize(baseline, 0, minute);
    // decideTick's rule: failed checks add up within the step; past failureLimit, roll back.
    if (!run.defaultsRollback && analyzeWindow(THRESHOLD_DEFAULTS, c, b).kind === "failed") {
      if (++failures > THRESHOLD_DEFAULTS.failureLimit) run.defaultsRollback = at;
    }
    const judged = c.requests >= THRESHOLD_DEFAULTS.minRequests;
    const errorDeltaPp = judged
      ? (c.errorRatePercent ?? 0) - (b.errorRatePercent ?? 0)
      : Number.NaN;
    const p95Ratio = judged && c.p95 && b.p95 ? c.p95 / b.p95 : Number.NaN;
    tuned.forEach((limits, i) => {
      if (run.tunedRollbacks[i] || !tunedLookFails(errorDeltaPp, p95Ratio, limits)) return;
      tunedFailures[i]!++;
      if (tunedFailures[i]! > limits.failureLimit) run.tunedRollbacks[i] = at;
    });
    if (!scenario.healthy) continue;
    run.requests.push(c.requests);
    run.errorDeltaPp.push(errorDeltaPp);
    run.p95Ratio.push(p95Ratio);
  }
  return run;
}

export function simulateScenario(
  scenario: Scenario,
  runs: number,
  seed: number,
  minutes: number,
  judges: Judges,
  tuned: TunedThreshold[],
): RunRecord[] {
  return Array.from({ length: runs }, (_, run) =>
    simulateRun(
      scenario,
      `${seed}:${scenario.group}:${scenario.name}:${run}`,
      minutes,
      judges,
      tuned,
    ),
  );
}
