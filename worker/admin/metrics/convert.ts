// Pure conversions from stored shapes (stats histograms, rollout state, analysis policy) to the
// units and checks of the metrics snapshot. No I/O, no clock: `now` is passed in.
import {
  type CheckVerdict,
  LATENCY_BUCKETS_SECONDS,
  type LatencyHistogramSeconds,
  type TrafficCounter,
  type TrafficReason,
  type VersionRole,
} from "../../../schemas/metrics.ts";
import type { Analysis } from "../../../schemas/rollout.ts";
import { isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import type { OutcomeRoute } from "../../../schemas/stats.ts";
import { bucketValue, countAtOrBelow, type Histogram } from "../../core/metrics/histogram.ts";
import type { Step } from "../../core/rollout/steps.ts";
import { thresholdFigures } from "../../core/rollout/threshold-checks.ts";

/** The stats objects' log-scale histogram (ms) as cumulative Prometheus buckets in seconds. */
export function latencySeconds(histogram: Histogram): LatencyHistogramSeconds {
  let count = 0;
  let sumMs = 0;
  for (const [index, n] of Object.entries(histogram)) {
    count += n;
    sumMs += bucketValue(Number(index)) * n;
  }
  return {
    buckets: LATENCY_BUCKETS_SECONDS.map((le) => countAtOrBelow(histogram, le * 1000)),
    count,
    sumSeconds: Math.round(sumMs) / 1000,
  };
}

/**
 * Rising counters per outcome route, folded into the exported reasons: every "rule:<name>" counts
 * as "rule", so a config's rule names never become label values. "split" is always present.
 */
export function trafficByReason(
  perRoute: { route: OutcomeRoute; requests: number; errors: number; clientFaults: number }[],
): TrafficCounter[] {
  const folded = new Map<TrafficReason, TrafficCounter>([
    ["split", { reason: "split", requests: 0, errors: 0, clientIncomplete: 0 }],
  ]);
  for (const { route, requests, errors, clientFaults } of perRoute) {
    const reason = (route.startsWith("rule:") ? "rule" : route) as TrafficReason;
    const counter = folded.get(reason) ?? { reason, requests: 0, errors: 0, clientIncomplete: 0 };
    counter.requests += requests;
    counter.errors += errors;
    counter.clientIncomplete += clientFaults;
    folded.set(reason, counter);
  }
  return [...folded.values()];
}

/**
 * Each threshold check of the last verdict with its measured value and threshold, as the tick
 * judged them (worker/core/rollout/threshold-checks.ts). Only checks the policy sets and the
 * verdict's figures can answer: an unset limit, or no baseline p95, gives no series; with the
 * statistical judge maxLatencyRatio is its median ratio, not a p95 ratio, and is left out.
 */
export function checksOf(analysis: Analysis, state: RolloutState): CheckVerdict[] {
  const candidate = state.lastVerdict?.candidate;
  if (!candidate) return [];
  const figures = thresholdFigures(analysis, candidate, state.lastVerdict?.baseline ?? null, {
    minRequests: true,
    p95Ratio: analysis.judge !== "statistical",
  });
  return figures.map(({ check, value, limit, passed }) =>
    check === "p95"
      ? { check, value: value / 1000, threshold: limit / 1000, passed }
      : { check, value, threshold: limit, passed },
  );
}

/** Seconds of bake left in the current step; null at a gate or once the rollout has ended. */
export function bakeLeftSeconds(state: RolloutState, steps: Step[], now: number): number | null {
  const step = steps[state.stepIndex];
  if (!isActive(state) || step?.kind !== "weight") return null;
  return Math.max(0, state.stepStartedAt + step.bakeMs - now) / 1000;
}

export function roleOf(
  version: string,
  baseline: string,
  candidate: string | undefined,
): VersionRole {
  if (version === candidate) return "candidate";
  return version === baseline ? "baseline" : "other";
}
