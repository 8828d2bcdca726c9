// What the status page shows, as data: one adapter fills it from the Durable Objects, the JSX
// pages only render it. Every string in it is shown escaped.
import * as z from "zod";
import { HistoryEventType } from "../../schemas/event-types.ts";
import { PausedBy, RolloutPhase, VerdictOutcome } from "../../schemas/rollout-state.ts";
import { VersionRole } from "../admin/metrics/model.ts";

const Instant = z.iso.datetime();

/** One minute of one version: the points of the page's small charts. */
export const MinuteFigures = z.object({
  requestsPerSecond: z.number().nonnegative(),
  errorRatePercent: z.number().nullable(),
  p95Ms: z.number().nullable(),
});

export const VersionPanel = z.object({
  name: z.string(),
  release: z.string().nullable(),
  role: VersionRole,
  weightPercent: z.number(),
  /** The last minute. */
  now: MinuteFigures,
  /** The last 30 minutes, oldest first, one point a minute. */
  lastMinutes: z.array(MinuteFigures),
});

export const StepPlan = z.object({
  kind: z.enum(["weight", "pause"]),
  weightPercent: z.number().nullable(),
});

export const RolloutPanel = z.object({
  phase: RolloutPhase,
  /** Who paused it (gate, operator, analysis, release), as `rollout status` says; null otherwise. */
  pausedBy: PausedBy.nullable(),
  strategy: z.string(),
  candidate: z.string(),
  /**
   * The release the rollout started with (kept in its state; in states stored before, what the
   * candidate track carries now); null: it names none.
   */
  release: z.string().nullable(),
  baseline: z.string(),
  /** 1-based. */
  step: z.number().int().positive(),
  steps: z.array(StepPlan),
  weightPercent: z.number(),
  /** Null unless progressing: a paused rollout's bake does not count down. */
  bakeLeftSeconds: z.number().nullable(),
  /** Seconds until the next tick judges it (or cuts a ramp back), 0 when due; null: none will. */
  nextTickSeconds: z.number().nonnegative().nullable(),
  lastVerdict: z
    .object({
      at: Instant,
      outcome: VerdictOutcome,
      reason: z.string(),
      /** The rollout's own metrics (analysis.metrics) as that tick measured them, one row each. */
      metrics: z.array(
        z.object({
          check: z.string(),
          measured: z.string(),
          threshold: z.string(),
          baseline: z.string(),
          result: z.string(),
        }),
      ),
    })
    .nullable(),
});

export const HistoryLine = z.object({
  at: Instant,
  type: HistoryEventType,
  /** The event in words, as `keystone history` names it ("config applied, forced over v9 serving"). */
  what: z.string(),
  author: z.string().nullable(),
  reason: z.string().nullable(),
});

/** An incident (a rolled-back or aborted rollout) as the page lists it. */
export const IncidentLine = z.object({
  id: z.string(),
  at: Instant,
  title: z.string(),
  summary: z.string(),
});

/** The release the config file asks for, beside the one the baseline serves. */
export const ReleasePanel = z.object({
  /** Null: the file names no release (or gives its tracks origins). */
  desired: z.string().nullable(),
  serving: z.string().nullable(),
  /** "since revision 7 (promoted)" */
  servingSince: z.string().nullable(),
});

export const ServicePanel = z.object({
  name: z.string(),
  revision: z.number().int(),
  releases: ReleasePanel,
  hosts: z.array(z.string()),
  split: z.array(z.object({ version: z.string(), percent: z.number() })),
  thresholds: z.object({
    maxErrorRatePercent: z.number().nullable(),
    maxP95Ms: z.number().nullable(),
  }),
  versions: z.array(VersionPanel),
  rollout: RolloutPanel.nullable(),
  /** Newest first. */
  history: z.array(HistoryLine),
  incidents: z.array(IncidentLine),
});

export const StatusPageModel = z.object({
  generatedAt: Instant,
  services: z.array(ServicePanel),
});

export type MinuteFigures = z.infer<typeof MinuteFigures>;
export type VersionPanel = z.infer<typeof VersionPanel>;
export type StepPlan = z.infer<typeof StepPlan>;
export type RolloutPanel = z.infer<typeof RolloutPanel>;
export type HistoryLine = z.infer<typeof HistoryLine>;
export type IncidentLine = z.infer<typeof IncidentLine>;
export type ServicePanel = z.infer<typeof ServicePanel>;
export type ReleasePanel = z.infer<typeof ReleasePanel>;
export type StatusPageModel = z.infer<typeof StatusPageModel>;
