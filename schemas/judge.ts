// The canary judge's settings and its verdict: every figure structured, so history can store a
// verdict whole and a CLI can print it.
import * as z from "zod";
import { Percent } from "./split.ts";

export const JudgeKind = z.enum(["threshold", "statistical"]);

/** How sure the statistical judge must be; also `rollout.analysis.confidencePercent`. */
export const ConfidencePercent = z
  .number()
  .min(50, "a confidence below 50 % is a coin toss")
  .max(99.99, "a confidence above 99.99 % never decides");

/** The smallest error-rate increase worth a rollback, in percentage points. */
export const MinErrorRateIncreasePercent = Percent;

/** How much slower the candidate's typical (median) request may be. */
export const MedianLatencyRatio = z
  .number()
  .min(1, "a latency ratio below 1 fails a healthy candidate");

/** Requests each version needs before the statistical judge says anything. */
export const JudgeMinRequests = z.number().int().min(10, "fewer than 10 requests cannot be judged");

export const JudgeSettings = z.strictObject({
  /** threshold: fixed limits per window (analysis.ts); statistical: the sequential tests below. */
  judge: JudgeKind.default("threshold"),
  /**
   * How sure the statistical judge must be before it fails or passes a candidate. 100 minus this
   * is the false-alarm rate per step window, however often the window is judged; it is shared
   * evenly between the error-rate and latency checks.
   */
  confidencePercent: ConfidencePercent.default(99),
  /** The smallest error-rate increase (candidate minus baseline, in percentage points) worth a rollback. */
  minErrorRateIncreasePercent: MinErrorRateIncreasePercent.default(0.5),
  /** How much slower the candidate's typical request may be than the baseline's (median ratio). */
  maxLatencyRatio: MedianLatencyRatio.default(1.2),
  /** Requests each version needs in the window before anything is judged. */
  minRequests: JudgeMinRequests.default(100),
});

export const CheckOutcome = z.enum(["pass", "fail", "inconclusive"]);

/** An effect with its confidence interval (always valid at the check's confidence). */
export const Effect = z.object({
  estimate: z.number(),
  low: z.number(),
  high: z.number(),
});

/**
 * The sequential evidence against the limit: z of the estimate against the limit, the log of the
 * mixture likelihood ratio, and the always-valid p-values of "not worse than the limit" and of
 * "worse than the limit" (confidence is 100 × (1 − p)).
 */
export const SequentialEvidence = z.object({
  z: z.number(),
  logLikelihoodRatio: z.number(),
  confidenceWorsePercent: z.number(),
  confidenceNotWorsePercent: z.number(),
  requiredConfidencePercent: z.number(),
});

export const ErrorRateCheck = z.object({
  check: z.literal("errorRate"),
  outcome: CheckOutcome,
  sentence: z.string(),
  candidateRatePercent: z.number().nullable(),
  baselineRatePercent: z.number().nullable(),
  /** Candidate minus baseline error rate, in percentage points. */
  increasePp: Effect.nullable(),
  limitPp: z.number(),
  evidence: SequentialEvidence.nullable(),
});

export const MannWhitney = z.object({
  /** Pairs (candidate, baseline) where the candidate was slower, ties by bucket counted half. */
  u: z.number(),
  z: z.number(),
  /** Fixed-sample two-sided p-value of "same latency distribution", as Kayenta reports it. */
  pValue: z.number(),
});

export const LatencyCheck = z.object({
  check: z.literal("latency"),
  outcome: CheckOutcome,
  sentence: z.string(),
  candidateP50Ms: z.number().nullable(),
  baselineP50Ms: z.number().nullable(),
  /** Candidate over baseline latency: Hodges–Lehmann shift of log latency, as a ratio. */
  ratio: Effect.nullable(),
  maxRatio: z.number(),
  mannWhitney: MannWhitney.nullable(),
  evidence: SequentialEvidence.nullable(),
});

export const JudgeCheck = z.discriminatedUnion("check", [ErrorRateCheck, LatencyCheck]);

export const VersionCounts = z.object({
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  noAnswer: z.number().int().nonnegative(),
});

export const JudgeVerdict = z.object({
  judge: z.literal("statistical"),
  /** fail when any check fails, pass when all pass, else inconclusive. */
  outcome: CheckOutcome,
  /** The checks' sentences, for a person. */
  summary: z.string(),
  confidencePercent: z.number(),
  candidate: VersionCounts,
  baseline: VersionCounts,
  checks: z.array(JudgeCheck),
});

export type JudgeKind = z.infer<typeof JudgeKind>;
export type JudgeSettings = z.infer<typeof JudgeSettings>;
export type CheckOutcome = z.infer<typeof CheckOutcome>;
export type Effect = z.infer<typeof Effect>;
export type SequentialEvidence = z.infer<typeof SequentialEvidence>;
export type ErrorRateCheck = z.infer<typeof ErrorRateCheck>;
export type LatencyCheck = z.infer<typeof LatencyCheck>;
export type MannWhitney = z.infer<typeof MannWhitney>;
export type JudgeCheck = z.infer<typeof JudgeCheck>;
export type VersionCounts = z.infer<typeof VersionCounts>;
export type JudgeVerdict = z.infer<typeof JudgeVerdict>;
