// A service's history: typed event details (never free text), how they are sent, and how details
// stored by older versions are upgraded on read.
import * as z from "zod";
import { ReleaseRef } from "./apply-plan.ts";
import { HistoryEventType } from "./event-types.ts";
import { IsoTime, RolloutPhase, VerdictBody } from "./rollout-state.ts";

const Revision = z.number().int().nonnegative();

/** Which origin and release a track serves, and its share of public traffic. */
export const TrackRelease = z.object({
  track: z.string(),
  origin: z.string(),
  release: z.string().nullable(),
  weight: z.number(),
});

/** After a promotion: `track` now serves `release` (and `origin`), taken from track `from`. */
export const Promotion = z.object({
  track: z.string(),
  release: z.string().nullable(),
  origin: z.string(),
  from: z.string(),
});

/** A new revision of the config (apply, weights, revert): the split it serves. */
export const ConfigDetail = z.object({
  kind: z.literal("config"),
  split: z.record(z.string(), z.number()),
  /** A revert: the revision whose config was restored. */
  restored: Revision.optional(),
  /**
   * An apply --force that stored what the apply without it refuses (serve a release behind the
   * one serving, undo a promotion, change a running rollout's tracks) or holds.
   */
  forced: z.literal(true).optional(),
  /** With `forced`: the release that served when the apply overrode it. */
  forcedOver: ReleaseRef.optional(),
});

/** A rollout that stayed in one step past its progressDeadline: how long, why, and what was done. */
export const DeadlineExceeded = z.object({
  progressDeadline: z.string(),
  /** How long the rollout had been in its step, in milliseconds. */
  waitedMs: z.number().nonnegative(),
  /** What held it: the last verdict's reason, a pause gate, an operator's or the analysis's pause. */
  stuck: z.string(),
  action: z.enum(["abort", "notify"]),
});

/** A rollout decision: where the rollout stands after it, and the figures it read. */
export const RolloutDetail = z.object({
  kind: z.literal("rollout"),
  /** Null for events stored before rollouts had ids. */
  rolloutId: z.string().nullable(),
  phase: RolloutPhase,
  step: z.number().int(),
  weight: z.number(),
  verdict: VerdictBody.nullable(),
  promotion: Promotion.optional(),
  /** Set on rollout.deadlineExceeded (and the abort it caused). */
  deadline: DeadlineExceeded.optional(),
});

export const EventDetail = z.discriminatedUnion("kind", [ConfigDetail, RolloutDetail]);

export const HistoryEntry = z.object({
  at: IsoTime,
  type: HistoryEventType,
  revision: Revision.nullable(),
  author: z.string().nullable(),
  reason: z.string().nullable(),
  detail: EventDetail.nullable(),
});

export const HistoryResponse = z.object({ name: z.string(), history: z.array(HistoryEntry) });

/** The most entries a history answer holds (what the service object reads at most). */
export const MAX_HISTORY_ENTRIES = 1000;

/** `GET /services/{name}/history?last=N`: the newest N entries, oldest first. */
export const HistoryQuery = z.object({
  last: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_HISTORY_ENTRIES, `at most ${MAX_HISTORY_ENTRIES} entries`)
    .default(MAX_HISTORY_ENTRIES)
    .describe(`how many of the newest entries, 1 to ${MAX_HISTORY_ENTRIES}`),
});

/** Details written before they were typed: `{split}` and `{phase, step, weight, verdict}`. */
const LegacyDetail = z.union([
  z.object({ split: z.record(z.string(), z.number()) }).transform((d) => ({
    kind: "config" as const,
    split: d.split,
  })),
  z
    .object({
      phase: RolloutPhase,
      step: z.number().int(),
      weight: z.number(),
      verdict: VerdictBody.nullable().optional(),
    })
    .transform((d) => ({
      kind: "rollout" as const,
      rolloutId: null,
      phase: d.phase,
      step: d.step,
      weight: d.weight,
      verdict: d.verdict ?? null,
    })),
]);

/** A stored detail as today's type; undefined when it fits neither today's nor an older form. */
export function upgradeEventDetail(raw: unknown): EventDetail | null | undefined {
  if (raw === null) return null;
  const current = EventDetail.safeParse(raw);
  if (current.success) return current.data;
  const legacy = LegacyDetail.safeParse(raw);
  return legacy.success ? legacy.data : undefined;
}

export type DeadlineExceeded = z.infer<typeof DeadlineExceeded>;
export type TrackRelease = z.infer<typeof TrackRelease>;
export type Promotion = z.infer<typeof Promotion>;
export type EventDetail = z.infer<typeof EventDetail>;
export type ConfigDetail = z.infer<typeof ConfigDetail>;
export type RolloutDetail = z.infer<typeof RolloutDetail>;
export type HistoryEntry = z.infer<typeof HistoryEntry>;
export type HistoryResponse = z.infer<typeof HistoryResponse>;
