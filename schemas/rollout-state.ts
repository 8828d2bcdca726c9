// A rollout's stored state: what the service Durable Object keeps and the API returns.
import * as z from "zod";

export const RolloutPhase = z.enum(["progressing", "paused", "promoted", "rolledBack", "aborted"]);

export const VersionFigures = z.object({
  requests: z.number(),
  errors: z.number(),
  errorRatePercent: z.number().nullable(),
  p50: z.number().nullable(),
  p95: z.number().nullable(),
  p99: z.number().nullable(),
});

export const Verdict = z.object({
  at: z.number(),
  outcome: z.enum([
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
  ]),
  reason: z.string(),
  candidate: VersionFigures.nullable(),
  baseline: VersionFigures.nullable(),
});

export const RolloutState = z.object({
  phase: RolloutPhase,
  strategy: z.enum(["canary", "linear", "blueGreen"]),
  candidate: z.string(),
  baseline: z.string(),
  /** Index into the strategy's step plan. */
  stepIndex: z.number().int(),
  stepCount: z.number().int(),
  /** The candidate's current percent of public traffic. */
  weight: z.number(),
  startedAt: z.number(),
  stepStartedAt: z.number(),
  /** Failed checks counted in the current step. */
  failures: z.number().int(),
  pausedBy: z.enum(["gate", "operator", "analysis"]).nullable(),
  /** scheduledTime of the last cron tick applied: a repeated tick is a no-op. */
  lastTickAt: z.number(),
  endedAt: z.number().nullable(),
  lastVerdict: Verdict.nullable(),
});

export type RolloutPhase = z.infer<typeof RolloutPhase>;
export type RolloutState = z.infer<typeof RolloutState>;
export type RolloutVerdict = z.infer<typeof Verdict>;
export type VersionFigures = z.infer<typeof VersionFigures>;

export type ActiveRollout = RolloutState & { phase: "progressing" | "paused" };

export function isActive(state: RolloutState | null | undefined): state is ActiveRollout {
  return state?.phase === "progressing" || state?.phase === "paused";
}
