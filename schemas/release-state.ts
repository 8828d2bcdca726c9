// A release's state: stored by its Durable Object with epoch-ms times and sent by the API with
// ISO-8601 times (one builder makes both); the effects its decisions queue, and its history.
import * as z from "zod";
import { ReleaseFile } from "./release-file.ts";
import { RolloutStrategy } from "./rollout.ts";
import { EpochMs, PausedBy, RolloutPhase } from "./rollout-state.ts";

/**
 * running: services start as their conditions hold, and hold at their last step.
 * promoting: every service passed; the release promotes them one after another.
 * rollingBack / aborting: a service failed (or an operator aborted): every started one is aborted.
 * Ended: promoted, partiallyPromoted (it stopped while its services were being promoted),
 * rolledBack, aborted.
 */
export const ReleasePhase = z.enum([
  "running",
  "promoting",
  "rollingBack",
  "aborting",
  "promoted",
  "partiallyPromoted",
  "rolledBack",
  "aborted",
]);

const ENDED_RELEASE_PHASES: readonly ReleasePhase[] = [
  "promoted",
  "partiallyPromoted",
  "rolledBack",
  "aborted",
];

/**
 * waiting: its condition does not hold yet. starting: its rollout start is being sent.
 * running: its rollout progresses. held: it passed its last step and waits for the others.
 * promoting / promoted: the release's promotion of it. stopping / stopped: aborted by the release,
 * or ended badly by itself. notStarted: the release ended before its condition held.
 */
export const ServiceProgressStatus = z.enum([
  "waiting",
  "starting",
  "running",
  "held",
  "promoting",
  "promoted",
  "stopping",
  "stopped",
  "notStarted",
]);

/** What the release last saw of a service's rollout. */
export const RolloutSnapshot = z.object({
  phase: RolloutPhase,
  pausedBy: PausedBy.nullable(),
  step: z.number().int(),
  stepCount: z.number().int(),
  weight: z.number(),
  reason: z.string().nullable(),
});

export const ServiceProgress = z.object({
  service: z.string(),
  status: ServiceProgressStatus,
  /** The rollout the release started (null before its start is confirmed). */
  rolloutId: z.string().nullable(),
  rollout: RolloutSnapshot.nullable(),
  /** Why it stands where it does, in words (a refusal, a rollback's verdict). */
  note: z.string().nullable(),
});

export function releaseStateSchema<T extends z.ZodType>(time: T) {
  return z.object({
    format: z.literal(1),
    name: z.string(),
    /** The file as started. */
    file: ReleaseFile,
    phase: ReleasePhase,
    /** In the file's order. */
    services: z.array(ServiceProgress),
    startedAt: time,
    endedAt: time.nullable(),
    /** scheduledTime of the last cron tick applied: a repeated tick is a no-op. */
    lastTickAt: time,
    author: z.string().nullable(),
    /** Where the release stands, in words: what it waits for, or why it ended. */
    reason: z.string(),
    /**
     * Started with --force: its services' starts may go back past the release serving (an
     * operator's rollback on purpose); without it such a start is refused (stale_release).
     */
    forced: z.literal(true).optional(),
  });
}

export const ReleaseState = releaseStateSchema(EpochMs);

/** What a release's decision leaves to deliver; each kind at most once per service and run. */
export const ReleaseEffect = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("start"),
    /** The run (its startedAt): a settlement from an earlier run of the same name is ignored. */
    run: EpochMs,
    service: z.string(),
    origin: z.string().optional(),
    release: z.string().optional(),
    strategy: RolloutStrategy.optional(),
    /** The release was started with --force. */
    force: z.literal(true).optional(),
  }),
  z.object({ kind: z.literal("promote"), run: EpochMs, service: z.string() }),
  z.object({ kind: z.literal("abort"), run: EpochMs, service: z.string() }),
  /** Tells the registry whether the cron should tick this release. */
  z.object({ kind: z.literal("index"), active: z.boolean() }),
]);

export const ReleaseEventType = z.enum([
  "release.started",
  "release.serviceStarted",
  "release.serviceHeld",
  "release.serviceFailed",
  "release.promoting",
  "release.servicePromoted",
  "release.rollingBack",
  "release.aborting",
  "release.serviceStopped",
  "release.promoted",
  "release.partiallyPromoted",
  "release.rolledBack",
  "release.aborted",
]);

export function releaseEventSchema<T extends z.ZodType>(time: T) {
  return z.object({
    at: time,
    type: ReleaseEventType,
    /** The service it is about; null for the release as a whole. */
    service: z.string().nullable(),
    rolloutId: z.string().nullable(),
    author: z.string().nullable(),
    reason: z.string(),
  });
}

export const ReleaseEvent = releaseEventSchema(EpochMs);

export type ReleasePhase = z.infer<typeof ReleasePhase>;
export type ServiceProgressStatus = z.infer<typeof ServiceProgressStatus>;
export type RolloutSnapshot = z.infer<typeof RolloutSnapshot>;
export type ServiceProgress = z.infer<typeof ServiceProgress>;
export type ReleaseState = z.infer<typeof ReleaseState>;
export type ReleaseEffect = z.infer<typeof ReleaseEffect>;
export type ReleaseEventType = z.infer<typeof ReleaseEventType>;
export type ReleaseEvent = z.infer<typeof ReleaseEvent>;

export function releaseEnded(state: ReleaseState | null | undefined): boolean {
  return state !== null && state !== undefined && ENDED_RELEASE_PHASES.includes(state.phase);
}
