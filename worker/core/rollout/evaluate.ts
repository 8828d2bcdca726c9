// One cron tick of a rollout, as a pure function of (policy, state, window stats, now): hold,
// advance, stop at a gate, promote, or act on failure. The caller stores the new state.
import type { Judgement } from "../../../schemas/judgement.ts";
import type { MetricCheck } from "../../../schemas/metric-check.ts";
import type { MirrorCounts } from "../../../schemas/mirror.ts";
import type { Rollout } from "../../../schemas/rollout.ts";
import type {
  RolloutState,
  RolloutVerdict,
  VersionFigures,
} from "../../../schemas/rollout-state.ts";
import type { WindowStats } from "../metrics/window-stats.ts";
import {
  judgeMetrics,
  type MetricReading,
  metricsEffect,
} from "../provider-metrics/metric-judge.ts";
import { judgeSettingsOf, judgeStep } from "./judgement.ts";
import { failureActionOf, withRamp } from "./ramp.ts";
import type { Step } from "./steps.ts";
import { thresholdChecks } from "./threshold-checks.ts";

export type TickDecision = (
  | { kind: "hold"; outcome: "hold" | "inconclusive" | "failed"; reason: string; failures: number }
  | { kind: "advance"; toStep: number; weight: number; reason: string }
  | { kind: "gate"; toStep: number; reason: string }
  | { kind: "promote"; reason: string }
  | { kind: "rollback"; reason: string }
  | { kind: "pause"; reason: string }
) & {
  /** How the window was judged, kept with the verdict. */
  judgement?: Judgement;
};

export interface TickInput {
  policy: Rollout;
  steps: Step[];
  state: RolloutState;
  candidate: WindowStats;
  baseline: WindowStats;
  /** The candidate's mirrored comparisons over the window (read when the analysis limits them). */
  mirror?: MirrorCounts | undefined;
  now: number;
  /**
   * What the step counts and how to send it some, when the candidate has no public share here
   * (eligible-traffic.ts): added to a verdict that holds for too few candidate requests.
   */
  holdHint?: string | undefined;
  /** What the providers answered for the analysis's own metrics this tick (analysis.metrics). */
  metrics?: MetricReading[] | undefined;
}

function duration(ms: number): string {
  const s = Math.ceil(ms / 1000);
  return s >= 60 ? `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s` : `${s}s`;
}

export function decideTick(input: TickInput): TickDecision {
  const { judgement, result } = judgeStep(input.policy.analysis, input);
  const own = decideOn(input, result);
  const metrics = input.policy.analysis.metrics ?? [];
  if (metrics.length === 0) return { ...own, judgement };
  const checks = judgeMetrics(metrics, input.metrics ?? [], priorMetricChecks(input.state));
  // The judgement's outcome counts the metrics that gate, as the decision does.
  const outcomes = [judgement.outcome, ...checks.filter((c) => !c.dryRun).map((c) => c.outcome)];
  const outcome = outcomes.includes("fail")
    ? "fail"
    : outcomes.every((o) => o === "pass")
      ? "pass"
      : "inconclusive";
  return {
    ...withMetrics(input, own, checks),
    judgement: { ...judgement, outcome, metrics: checks },
  };
}

/** The metric checks of the step's previous verdict, whose tallies this tick continues. */
function priorMetricChecks(state: RolloutState) {
  const last = state.lastVerdict;
  return last && last.at > state.stepStartedAt ? (last.judgement?.metrics ?? []) : [];
}

/**
 * The rollout's own metrics over the judge's decision: one failed past its failureLimit acts as
 * onFailure does; one inconclusive past its inconclusiveLimit pauses; one failed or inconclusive
 * within its limit holds a step the judge would pass. The judge's own rollback or pause stands.
 */
function withMetrics(input: TickInput, own: TickDecision, checks: MetricCheck[]): TickDecision {
  const effect = metricsEffect(checks);
  if (!effect) return own;
  const { policy, state } = input;
  if (own.kind === "rollback" || own.kind === "pause")
    return effect.kind === "act" ? { ...own, reason: `${own.reason}; ${effect.reason}` } : own;
  if (effect.kind === "act")
    return failureActionOf(policy) === "rollback"
      ? { kind: "rollback", reason: effect.reason }
      : { kind: "pause", reason: `${effect.reason}: paused for an operator` };
  if (effect.kind === "pause") return { kind: "pause", reason: effect.reason };
  const outcome = effect.kind === "holdFailed" ? "failed" : "inconclusive";
  if (own.kind === "hold" && own.outcome !== "hold")
    return { ...own, reason: `${own.reason}; ${effect.reason}` };
  return { kind: "hold", outcome, reason: `held by ${effect.reason}`, failures: state.failures };
}

/** "1 failed analysis", "2 failed analyses": what `analysis.failureLimit` counts. */
function failedAnalyses(count: number): string {
  return `${count} failed ${count === 1 ? "analysis" : "analyses"}`;
}

/** Fewer candidate requests than the judge needs to decide anything. */
function tooFewCandidates({ policy, candidate }: TickInput): boolean {
  const { analysis } = policy;
  const needed =
    analysis.judge === "statistical" ? judgeSettingsOf(analysis).minRequests : analysis.minRequests;
  return candidate.requests < needed;
}

function decideOn(
  input: TickInput,
  analysis: ReturnType<typeof judgeStep>["result"],
): TickDecision {
  const { policy, steps, state, now } = input;
  const step = steps[state.stepIndex];
  if (analysis.kind === "inconclusive") {
    const hint = input.holdHint && tooFewCandidates(input) ? `: ${input.holdHint}` : "";
    // A limit already exceeded on the requests seen: the step fails once enough arrive, unless
    // they bring it back under.
    const soFar = analysis.soFar?.length ? `; ${analysis.soFar.join("; ")}` : "";
    return {
      kind: "hold",
      outcome: "inconclusive",
      reason: `${analysis.reason}${hint}${soFar}`,
      failures: state.failures,
    };
  }
  if (analysis.kind === "failed") {
    // failureLimit counts failed analyses (ticks whose window failed any check), not the checks
    // one window failed: the words say so, as "2 failed check(s), limit 1" read like two checks.
    const failures = state.failures + 1;
    const limit = policy.analysis.failureLimit;
    const reason = analysis.reasons.join("; ");
    if (failures > limit) {
      return failureActionOf(policy) === "rollback"
        ? {
            kind: "rollback",
            reason: `${reason} (${failedAnalyses(failures)} in this step, limit ${limit})`,
          }
        : {
            kind: "pause",
            reason: `${reason} (${failedAnalyses(failures)} in this step, limit ${limit}): paused for an operator`,
          };
    }
    return {
      kind: "hold",
      outcome: "failed",
      reason: `${reason} (${failedAnalyses(failures)} in this step, ${limit} tolerated)`,
      failures,
    };
  }
  const bakeMs = step?.kind === "weight" ? step.bakeMs : 0;
  const left = state.stepStartedAt + bakeMs - now;
  if (left > 0) {
    return {
      kind: "hold",
      outcome: "hold",
      reason: `${analysis.reason}; baking, ${duration(left)} left`,
      failures: state.failures,
    };
  }
  return nextStep(steps, state.stepIndex, analysis.reason);
}

/** Where the plan goes after step `from` has passed. */
function nextStep(steps: Step[], from: number, because: string): TickDecision {
  const to = from + 1;
  const next = steps[to];
  if (!next) return { kind: "promote", reason: `${because}; last step passed` };
  if (next.kind === "pause")
    return { kind: "gate", toStep: to, reason: `${because}; waiting for keystone rollout promote` };
  return {
    kind: "advance",
    toStep: to,
    weight: next.weight,
    reason: `${because}; step ${to + 1} at ${next.weight}%`,
  };
}

/** A gate or health check that did not pass turns an advance or promotion into a hold. */
export function holdForGates(
  decision: TickDecision,
  failedGates: string[],
  failures: number,
): TickDecision {
  if (failedGates.length === 0 || (decision.kind !== "advance" && decision.kind !== "promote"))
    return decision;
  return {
    kind: "hold",
    outcome: "hold",
    reason: `held by ${failedGates.join("; ")}`,
    failures,
    ...(decision.judgement ? { judgement: decision.judgement } : {}),
  };
}

export function figures(stats: WindowStats): VersionFigures {
  const { requests, errors, errorRatePercent, p50, p95, p99 } = stats;
  return { requests, errors, errorRatePercent, p50, p95, p99 };
}

/** The state after a tick's decision. */
export function applyTick(input: TickInput, decision: TickDecision): RolloutState {
  const { state, now } = input;
  // A conclusive window keeps the checks it was judged by, with their numbers (for incidents);
  // below the statistical judge's minRequests of either version it was judged by none.
  const tooFew = decision.judgement?.statistical?.checks.length === 0;
  const conclusive = input.candidate.requests >= input.policy.analysis.minRequests && !tooFew;
  const checks = conclusive
    ? { thresholdChecks: thresholdChecks(input.policy.analysis, input.candidate, input.baseline) }
    : {};
  const verdict = (outcome: RolloutVerdict["outcome"], reason: string): RolloutVerdict => ({
    at: now,
    outcome,
    reason,
    candidate: figures(input.candidate),
    baseline: figures(input.baseline),
    ...checks,
    ...(decision.judgement ? { judgement: decision.judgement } : {}),
  });
  const base = { ...state, lastTickAt: now };
  switch (decision.kind) {
    case "hold":
      return {
        ...base,
        failures: decision.failures,
        lastVerdict: verdict(decision.outcome, decision.reason),
      };
    case "advance":
      return {
        ...base,
        stepIndex: decision.toStep,
        weight: decision.weight,
        stepStartedAt: now,
        failures: 0,
        lastVerdict: verdict("advance", decision.reason),
      };
    case "gate":
      return {
        ...base,
        stepIndex: decision.toStep,
        phase: "paused",
        pausedBy: "gate",
        failures: 0,
        lastVerdict: verdict("gate", decision.reason),
      };
    case "promote":
      return {
        ...base,
        phase: "promoted",
        weight: 100,
        endedAt: now,
        lastVerdict: verdict("promote", decision.reason),
      };
    case "rollback":
      return withRamp(input.policy, state.weight, {
        ...base,
        phase: "rolledBack",
        weight: 0,
        endedAt: now,
        lastVerdict: verdict("rollback", decision.reason),
      });
    case "pause":
      return {
        ...base,
        phase: "paused",
        pausedBy: "analysis",
        lastVerdict: verdict("pause", decision.reason),
      };
  }
}
