// One analysis metric as a tick measured it: the query sent (secrets are never part of it), the
// value(s) read, the condition, the outcome and why, and the step's tally against its limits.
// Kept in a verdict's judgement (the verdict log, `rollout explain`, incidents).
import * as z from "zod";
import { CheckOutcome } from "./judge.ts";

export const MetricProviderKind = z.enum(["prometheus", "datadog", "web"]);

/**
 * Why a measurement ended as it did: measured (passed or failed on its value), neither condition
 * met, no data (an empty answer, a missing value), or the provider failed (unreachable, an error
 * status, a timeout, an answer too large or not understood). The last three are inconclusive.
 */
export const MetricCause = z.enum(["measured", "neither", "noData", "providerFailed"]);

export const MetricCheck = z.object({
  name: z.string(),
  provider: MetricProviderKind,
  /** The candidate's query as sent (the template filled). */
  query: z.string(),
  /** successCondition / failureCondition, or the baseline limit, as a person reads it. */
  condition: z.string(),
  /**
   * The candidate's value(s). A sample that is no finite number (Prometheus' NaN, +Inf) is kept
   * as null: JSON holds neither, and a verdict is stored and sent as JSON.
   */
  candidate: z.array(z.number().nullable()).nullable(),
  /** The baseline's value(s), for a baseline comparison (null otherwise, or when not read). */
  baseline: z.array(z.number().nullable()).nullable(),
  outcome: CheckOutcome,
  cause: MetricCause,
  /** The provider's failure in words (cause providerFailed), secrets and URL credentials out. */
  problem: z.string().nullable(),
  dryRun: z.boolean(),
  /** Failed and inconclusive measurements in the current step so far, this one included. */
  failed: z.number().int().nonnegative(),
  inconclusive: z.number().int().nonnegative(),
  failureLimit: z.number().int().nonnegative(),
  inconclusiveLimit: z.number().int().nonnegative(),
  sentence: z.string(),
});

/**
 * `keystone analysis test`: the rollout's metrics measured now, acted on by nothing. Versions and
 * window are the running rollout's (its step so far), else the policy's candidate against the
 * baseline over the last 5 minutes.
 */
export const AnalysisTest = z.object({
  service: z.string(),
  candidate: z.string(),
  baseline: z.string(),
  /** The window the queries covered, as {{window}} was filled. */
  window: z.string(),
  metrics: z.array(MetricCheck),
});

export type MetricCheck = z.infer<typeof MetricCheck>;
export type AnalysisTest = z.infer<typeof AnalysisTest>;
export type MetricCause = z.infer<typeof MetricCause>;
export type MetricProviderKind = z.infer<typeof MetricProviderKind>;
