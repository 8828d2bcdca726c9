// A rollout's state: stored by the service Durable Object with epoch-ms times, and sent by the
// API with ISO-8601 times. One builder makes both and the codec between them (TimeCodec), so the
// two can never drift apart.
import * as z from "zod";
import { Judgement } from "./judgement.ts";
import { RolloutStrategy } from "./rollout.ts";

export const RolloutPhase = z.enum(["progressing", "paused", "promoted", "rolledBack", "aborted"]);

export const VerdictOutcome = z.enum([
  "started",
  "hold",
  "inconclusive",
  "failed",
  "advance",
  "gate",
  "promote",
  "rollback",
  "pause",
  "abort",
  "resume",
]);

/** release: passed its last step, held until every service of its release has passed. */
export const PausedBy = z.enum(["gate", "operator", "analysis", "release"]);

/** A rollout started by a release: its final promotion waits for the release. */
export const HeldBy = z.object({ release: z.string() });

export const VersionFigures = z.object({
  requests: z.number(),
  errors: z.number(),
  errorRatePercent: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

/** One check of the threshold judge: what it measured against its limit (for incidents, not prose). */
export const ThresholdCheck = z.object({
  check: z.enum(["errorRate", "p95", "errorRateDelta", "latencyRatio"]),
  /** error rate and delta in percent (points), p95 in ms, latency ratio candidate / baseline. */
  measured: z.number(),
  threshold: z.number(),
  passed: z.boolean(),
  /** The baseline's figure in the same window (p95 ms for the latency checks, else error %). */
  baseline: z.number().optional(),
});

/**
 * What a decision said and the figures it read. Structured, so a later judge can add its inputs
 * and explanation as fields rather than prose.
 */
export const VerdictBody = z.object({
  outcome: VerdictOutcome,
  reason: z.string(),
  candidate: VersionFigures.nullable(),
  baseline: VersionFigures.nullable(),
  /** The threshold checks a conclusive window was judged by (absent before they were recorded). */
  thresholdChecks: z.array(ThresholdCheck).optional(),
  /** How the window was judged, whole (tick verdicts; absent from operators' and older ones). */
  judgement: Judgement.optional(),
  /**
   * The candidate's weight when the decision was taken: with the weight after it, every view
   * tells the move the same way ("25% → 0%"). Absent on a rollout's first verdict and older ones.
   */
  fromWeight: z.number().optional(),
});

/** Epoch milliseconds: how state is stored and computed with. */
export const EpochMs = z.number();
/** ISO-8601: how every API response and CLI JSON output carries a time. */
export const IsoTime = z.iso.datetime();

const isoOf = (ms: number) => new Date(ms).toISOString();

/**
 * A time between the two: the wire's ISO-8601 decoded to epoch ms, and encoded back. A shape
 * declared once as a function of its time field (rolloutStateSchema(time), …) gives the stored
 * shape with EpochMs, the wire's with IsoTime, and with this codec the conversion between them
 * (`encode`), so a new time field is one edit to its shape and nothing else.
 */
export const TimeCodec = z.codec(IsoTime, EpochMs, {
  decode: (iso) => Date.parse(iso),
  encode: isoOf,
});

/** A tick time: stored as 0 before the first tick, sent as null. */
export const TickTimeCodec = z.codec(IsoTime.nullable(), EpochMs, {
  decode: (iso) => (iso === null ? 0 : Date.parse(iso)),
  encode: (ms) => (ms === 0 ? null : isoOf(ms)),
});

export function verdictSchema<T extends z.ZodType>(time: T) {
  return VerdictBody.extend({ at: time });
}

/**
 * A rollback that returns the candidate's traffic over a ramp (onFailure.ramp): from `from`
 * percent at the rollback (the rollout's endedAt) to 0 in `steps` equal cuts, one every `stepMs`,
 * the first at once. The rollout's `weight` is the share it has reached.
 */
export const RampState = z.object({
  from: z.number(),
  steps: z.number().int().positive(),
  stepMs: z.number().int().positive(),
});

export function rolloutStateSchema<T extends z.ZodType>(time: T) {
  return z.object({
    /** Minted by the service object when the rollout starts; scopes fast-abort halts. */
    id: z.string().min(1),
    phase: RolloutPhase,
    strategy: RolloutStrategy,
    candidate: z.string(),
    /**
     * The candidate's release when the rollout started: reports name the release the rollout
     * shipped, not whatever a later revert or apply put on the candidate's track (absent in
     * states stored before, and for a candidate without a release).
     */
    release: z.string().optional(),
    baseline: z.string(),
    /** Index into the strategy's step plan. */
    stepIndex: z.number().int(),
    stepCount: z.number().int(),
    /** The candidate's current percent of public traffic. */
    weight: z.number(),
    startedAt: time,
    stepStartedAt: time,
    /** Failed checks counted in the current step. */
    failures: z.number().int(),
    pausedBy: PausedBy.nullable(),
    /** scheduledTime of the last cron tick applied: a repeated tick is a no-op. */
    lastTickAt: time,
    endedAt: time.nullable(),
    lastVerdict: verdictSchema(time).nullable(),
    /** Set by a ramped rollback (absent in states stored before ramps existed). */
    ramp: RampState.nullable().optional(),
    /** Set for a rollout a release started (absent otherwise, and in states stored before). */
    heldBy: HeldBy.nullable().optional(),
    /** When `onDeadline: notify` sent rollout.deadlineExceeded for the current step (once per step). */
    deadlineNotifiedAt: time.optional(),
    /** When rollout.noTraffic was recorded for the current step (once per step). */
    noTrafficNotifiedAt: time.optional(),
  });
}

export const Verdict = verdictSchema(EpochMs);
export const RolloutState = rolloutStateSchema(EpochMs);

export type RolloutPhase = z.infer<typeof RolloutPhase>;
export type RolloutState = z.infer<typeof RolloutState>;
export type RolloutVerdict = z.infer<typeof Verdict>;
export type VerdictBody = z.infer<typeof VerdictBody>;
export type VersionFigures = z.infer<typeof VersionFigures>;
export type ThresholdCheck = z.infer<typeof ThresholdCheck>;
export type RampState = z.infer<typeof RampState>;

export type ActiveRollout = RolloutState & { phase: "progressing" | "paused" };

export function isActive(state: RolloutState | null | undefined): state is ActiveRollout {
  return state?.phase === "progressing" || state?.phase === "paused";
}

/** Ended by a failed analysis or an operator's abort: the candidate's traffic went back. */
export function endedBadly(state: RolloutState | null | undefined): boolean {
  return state?.phase === "rolledBack" || state?.phase === "aborted";
}
