// The statistical judge of a canary: the candidate's error rate and latency against the
// baseline's over the same window, each check always valid, one verdict with its numbers.
import type {
  CheckOutcome,
  JudgeCheck,
  JudgeSettings,
  JudgeVerdict,
} from "../../../schemas/judge.ts";
import type { WindowCounts } from "../metrics/window-stats.ts";
import { checkErrorRate } from "./error-rate-check.ts";
import { checkLatency } from "./latency-check.ts";
import { count } from "./words.ts";

/**
 * Mixture spreads τ (always-valid.ts): the size of effect each test is quickest to see. Errors:
 * 0.2 on the arcsine scale, about +3 pp at a 1 % baseline or +1 pp at 0.1 %. Latency: 0.1 on the
 * probabilistic-index scale, P(candidate slower) − ½, about what a 1.3× slowdown of a typical
 * service's latency gives. Chosen with `npm run judge:sim` (docs/analysis.md).
 */
const ERROR_RATE_TAU = 0.2;
const LATENCY_TAU = 0.1;

const CHECKS = 2;

function combine(outcomes: CheckOutcome[]): CheckOutcome {
  if (outcomes.includes("fail")) return "fail";
  return outcomes.every((outcome) => outcome === "pass") ? "pass" : "inconclusive";
}

function tooFew(settings: JudgeSettings, candidate: WindowCounts, baseline: WindowCounts) {
  const short = [
    candidate.requests < settings.minRequests ? `${count(candidate.requests)} candidate` : null,
    baseline.requests < settings.minRequests ? `${count(baseline.requests)} baseline` : null,
  ].filter((part) => part !== null);
  return short.length === 0
    ? null
    : `only ${short.join(" and ")} requests of ${count(settings.minRequests)} needed in this window → inconclusive`;
}

export function judgeWindow(
  settings: JudgeSettings,
  candidate: WindowCounts,
  baseline: WindowCounts,
): JudgeVerdict {
  // The false-alarm budget is split evenly between the checks (Bonferroni), so a healthy
  // candidate is failed by either check at most 100 − confidencePercent % of the time.
  const alpha = (1 - settings.confidencePercent / 100) / CHECKS;
  const counts = (w: WindowCounts) => ({
    requests: w.requests,
    errors: w.errors,
    noAnswer: w.noAnswer,
  });
  const short = tooFew(settings, candidate, baseline);
  const checks: JudgeCheck[] = short
    ? []
    : [
        checkErrorRate(candidate, baseline, settings.minErrorRateIncreasePercent, {
          alpha,
          tau: ERROR_RATE_TAU,
        }),
        checkLatency(candidate, baseline, settings.maxLatencyRatio, { alpha, tau: LATENCY_TAU }),
      ];
  return {
    judge: "statistical",
    outcome: short ? "inconclusive" : combine(checks.map((check) => check.outcome)),
    summary: short ?? checks.map((check) => check.sentence).join("; "),
    confidencePercent: settings.confidencePercent,
    candidate: counts(candidate),
    baseline: counts(baseline),
    checks,
  };
}
