// How a step's window was judged, whole: each threshold check with its figure, limit and sentence,
// the statistical judge's verdict with its test statistics, and the outcome they add up to.
// Stored with every verdict (rollout state, history, the verdict log), printed by
// `keystone rollout explain`.
import * as z from "zod";
import { CheckOutcome, JudgeKind, JudgeVerdict } from "./judge.ts";
import { MetricCheck } from "./metric-check.ts";
import { MirrorCounts } from "./mirror.ts";

export const ThresholdCheckName = z.enum([
  "minRequests",
  "errorRate",
  "p95",
  "errorRateDelta",
  "latencyRatio",
  "mirrorMismatch",
]);

/**
 * A threshold check: the measured value in its limit's unit (requests, percent, percentage
 * points, ms, ratio), the limit, and the outcome (inconclusive: too few requests to judge).
 */
export const ThresholdCheck = z.object({
  check: ThresholdCheckName,
  outcome: CheckOutcome,
  value: z.number().nullable(),
  limit: z.number(),
  sentence: z.string(),
});

export const Judgement = z.object({
  judge: JudgeKind,
  /** fail when any check fails, pass when all pass, else inconclusive. */
  outcome: CheckOutcome,
  /** Every check's sentence, for a person. */
  summary: z.string(),
  thresholds: z.array(ThresholdCheck),
  /** The statistical judge's verdict (null with the threshold judge). */
  statistical: JudgeVerdict.nullable(),
  /** The mirrored comparisons read, when the analysis limits mismatches. */
  mirror: MirrorCounts.nullable(),
  /** The rollout's own metrics (analysis.metrics), as measured this tick; absent without any. */
  metrics: z.array(MetricCheck).optional(),
  /**
   * The candidate's requests in the window that no check counted: those their clients did not
   * finish (a stalled or abandoned upload). Absent from verdicts taken before it was kept.
   */
  leftOut: z
    .object({
      clientIncomplete: z.number().int().nonnegative(),
      /**
       * Requests past their visitor's (or address's) bound in the window (maxRequestsPerVisitor).
       * Absent from verdicts taken before it was kept: none were left out for it then.
       */
      overVisitorLimit: z.number().int().nonnegative().optional(),
    })
    .optional(),
});

export type ThresholdCheckName = z.infer<typeof ThresholdCheckName>;
export type ThresholdCheck = z.infer<typeof ThresholdCheck>;
export type Judgement = z.infer<typeof Judgement>;
