// What crosses between the data plane, the stats Durable Objects and the control plane:
// outcome batches (with the route that chose the version), flush answers, window queries.
import * as z from "zod";
import { MirrorBatch } from "./mirror.ts";
import { MAX_STATS_SHARDS } from "./stats-limits.ts";

/**
 * Why a request reached a version: the split, an experiment pin, an override token, the
 * fast-abort diversion, a named rule ("rule:<name>"), a version-affinity pin the split gave
 * earlier ("affinity"), or a request outside a regional wave's place ("wave-outside"); a split,
 * experiment or affinity request past its visitor's bound in the step's window ("visitor-limit",
 * worker/core/metrics/visitor-limit.ts) is counted apart. Analysis
 * counts only some of them (by default split, experiment and affinity), so forced traffic cannot
 * poison or dilute a verdict, and a wave's analysis stays within its place.
 */
export const OutcomeRoute = z
  .string()
  .regex(
    /^(split|experiment|override|halted|affinity|wave-outside|visitor-limit|rule:.{1,100})$/,
    "not an outcome route",
  );

export const LatencyHistogram = z.record(z.string(), z.number().int().nonnegative());

export const OutcomeBatch = z.object({
  service: z.string(),
  version: z.string(),
  route: OutcomeRoute,
  /** Start of the one-second bucket the outcomes fall in (epoch ms). */
  bucketStart: z.number().int(),
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  /** Requests the origin never answered (refused, reset, timed out); counted in errors too. */
  noAnswer: z.number().int().nonnegative(),
  /**
   * Requests the client left unfinished (its body stalled or abandoned): not in requests, errors
   * or the histogram. Absent from isolates older than the field.
   */
  clientFaults: z.number().int().nonnegative().default(0),
  histogram: LatencyHistogram,
});

export { MAX_STATS_SHARDS };

/** One flush to one stats object. The id makes a retried flush count once. */
export const OutcomeFlush = z.object({
  id: z.string().min(1).max(100),
  batches: z.array(OutcomeBatch),
  /** Mirrored comparisons whose mirrored version is this object's (shadow traffic). */
  mirror: z.array(MirrorBatch).optional(),
  /** Which of the version's stats objects this flush was sent to (absent: the first, 0). */
  shard: z
    .number()
    .int()
    .min(0)
    .max(MAX_STATS_SHARDS - 1)
    .optional(),
});

/**
 * A fast-abort halt: the rollout `rolloutId` ended badly, and the publication that carries the
 * rollback has sequence `sequence`. An isolate diverts the version to the baseline until its
 * route table holds the service at that sequence or later.
 */
export const HaltSignal = z.object({
  rolloutId: z.string(),
  sequence: z.number().int().nonnegative(),
});

export const FlushAnswer = z.object({
  halt: HaltSignal.nullable(),
  /** Over how many stats objects the version's flushes spread now (absent: one). */
  shards: z.number().int().min(1).max(MAX_STATS_SHARDS).optional(),
});

/** Rising counters of one outcome route of one version (the stats object's totals, per route). */
export const RouteCounts = z.object({
  route: OutcomeRoute,
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  noAnswer: z.number().int().nonnegative(),
  clientFaults: z.number().int().nonnegative(),
  histogram: LatencyHistogram,
});

/** Buckets starting in [from, to]; `routes` limits which outcome routes are counted (all when absent). */
export const WindowQuery = z.object({
  from: z.number(),
  to: z.number(),
  routes: z.array(OutcomeRoute).optional(),
});

/** Longest series one call may ask for (a day of one-minute points). */
const MAX_SERIES_POINTS = 1440;

/**
 * Consecutive windows of `stepMs` from `from` (bucket starts in [from, to]), summed per point:
 * the status page's charts in one call per version.
 */
export const SeriesQuery = WindowQuery.extend({ stepMs: z.number().int().min(1000) }).refine(
  (q) => q.to >= q.from && Math.ceil((q.to - q.from + 1) / q.stepMs) <= MAX_SERIES_POINTS,
  { message: `from must not be after to, and at most ${MAX_SERIES_POINTS} points` },
);

/** A version's counts over a window (or since its stats began: `totals()`). */
export const WindowCounts = z.object({
  requests: z.number().int().nonnegative(),
  errors: z.number().int().nonnegative(),
  /** Requests the origin never answered (timeout, refused); counted in errors too. */
  noAnswer: z.number().int().nonnegative(),
  /**
   * Requests the client left unfinished (body stalled or abandoned): apart from all the above.
   * Absent from the answers of stats objects older than the field.
   */
  clientFaults: z.number().int().nonnegative().optional(),
  /**
   * Of a window over some routes: analysed requests left out because their visitor (or address)
   * had counted its share of the step's window ("visitor-limit"), in none of the above.
   */
  overVisitorLimit: z.number().int().nonnegative().optional(),
  histogram: LatencyHistogram,
});

/** A window's counts and their summary, as the stats object answers `window(query)`. */
export const WindowStats = WindowCounts.extend({
  from: z.number(),
  to: z.number(),
  errorRatePercent: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

export type OutcomeRoute = z.infer<typeof OutcomeRoute>;
export type WindowCounts = z.infer<typeof WindowCounts>;
export type WindowStats = z.infer<typeof WindowStats>;
export type OutcomeBatch = z.infer<typeof OutcomeBatch>;
export type OutcomeFlush = z.infer<typeof OutcomeFlush>;
export type HaltSignal = z.infer<typeof HaltSignal>;
export type FlushAnswer = z.infer<typeof FlushAnswer>;
export type WindowQuery = z.infer<typeof WindowQuery>;
export type SeriesQuery = z.infer<typeof SeriesQuery>;
export type RouteCounts = z.infer<typeof RouteCounts>;
