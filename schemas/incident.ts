// Incidents: what happened when a rollout was rolled back or aborted, built by the ledger from the
// rollout's state and history, kept by the service object, sent with the notification and shown
// by the CLI and the status page. Stored with epoch-ms times, sent with ISO-8601 ones.
import * as z from "zod";
import { HistoryEventType } from "./event-types.ts";
import { JudgeCheck } from "./judge.ts";
import { MetricCheck } from "./metric-check.ts";
import { RolloutStrategy } from "./rollout.ts";
import { EpochMs, IsoTime, ThresholdCheck, VersionFigures } from "./rollout-state.ts";

export const IncidentOutcome = z.enum(["rolledBack", "aborted"]);

/** Who or what ended the rollout: the analysis (through the cron) or an operator. */
export const IncidentActor = z.object({
  kind: z.enum(["analysis", "operator"]),
  name: z.string().nullable(),
});

export function incidentSchema<T extends z.ZodType>(time: T) {
  /** One line of the timeline: a rollout event with the figures its decision read. */
  const Moment = z.object({
    at: time,
    event: HistoryEventType,
    /**
     * 1-based step and the candidate's weight after the event, and before it (absent in incidents
     * recorded before it was kept, whose ending moments hold the weight before).
     */
    step: z.number().int(),
    weight: z.number(),
    fromWeight: z.number().optional(),
    by: z.string().nullable(),
    what: z.string(),
    /** Why, as the history recorded it (a verdict's reason, an operator's --reason). */
    reason: z.string().nullable(),
    candidate: VersionFigures.nullable(),
    baseline: VersionFigures.nullable(),
    /** The threshold checks that failed at this moment (empty when none did or none ran). */
    failedChecks: z.array(ThresholdCheck),
  });
  return z.object({
    /** Per service: 1, 2, 3 … in the order the incidents happened. */
    id: z.string().regex(/^[1-9]\d*$/),
    service: z.string(),
    rolloutId: z.string(),
    outcome: IncidentOutcome,
    strategy: RolloutStrategy,
    candidate: z.object({
      track: z.string(),
      release: z.string().nullable(),
      origin: z.string(),
    }),
    baseline: z.object({ track: z.string(), release: z.string().nullable() }),
    /** The candidate's release (what was being rolled out). */
    release: z.string().nullable(),
    startedAt: time,
    /** When the decision to end the rollout was taken. */
    at: time,
    /** Where the rollout stood when it ended: 1-based step of stepCount, the candidate's weight. */
    step: z.number().int(),
    stepCount: z.number().int(),
    weight: z.number(),
    actor: IncidentActor,
    reason: z.string(),
    /** The threshold checks that failed in the deciding window, with their numbers. */
    failedChecks: z.array(ThresholdCheck),
    /**
     * The statistical judge's failed checks in the deciding window, with their numbers, and the
     * confidence it required (absent with the threshold judge, and in incidents recorded before).
     */
    failedJudgeChecks: z
      .object({ confidencePercent: z.number(), checks: z.array(JudgeCheck) })
      .optional(),
    /** The rollout's own metrics as the deciding tick measured them (absent without any). */
    metrics: z.array(MetricCheck).optional(),
    summary: z.string(),
    timeline: z.array(Moment),
    /**
     * The last second in which the candidate's stats object counted a request the rollout sent it
     * (split or experiment routes), read after the end; settled once no isolate can still send
     * any (the fast-abort halt's bound has passed). Null until first read.
     */
    lastCandidateRequest: z
      .object({ at: time.nullable(), tracedAt: time, settled: z.boolean() })
      .nullable(),
  });
}

export const Incident = incidentSchema(EpochMs);
export const IncidentWire = incidentSchema(IsoTime);

/** An incident in a list: what a pipeline (the GitHub Action) reads. */
export const IncidentSummary = IncidentWire.pick({
  id: true,
  rolloutId: true,
  outcome: true,
  at: true,
  release: true,
  summary: true,
});

export type IncidentOutcome = z.infer<typeof IncidentOutcome>;
export type Incident = z.infer<typeof Incident>;
export type IncidentWire = z.infer<typeof IncidentWire>;
export type IncidentMoment = Incident["timeline"][number];
export type IncidentSummary = z.infer<typeof IncidentSummary>;
