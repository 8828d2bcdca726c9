// The verdict log: every verdict of a service's rollouts (each tick's and each operator's), with
// its judgement whole, kept by the service object; `keystone rollout explain` prints the last.
import * as z from "zod";
import { JudgeKind } from "./judge.ts";
import { EpochMs, IsoTime, RolloutPhase, verdictSchema } from "./rollout-state.ts";

export function verdictEntrySchema<T extends z.ZodType>(time: T) {
  return z.object({
    rolloutId: z.string(),
    candidate: z.string(),
    baseline: z.string(),
    /** Where the rollout stood after the verdict: phase, step (1-based), candidate weight. */
    phase: RolloutPhase,
    step: z.number().int(),
    weight: z.number(),
    verdict: verdictSchema(time),
  });
}

export const VerdictEntry = verdictEntrySchema(EpochMs);

/** `GET /services/{name}/rollout/verdicts`: the last verdicts of the latest rollout, oldest first. */
export const RolloutVerdicts = z.object({
  service: z.string(),
  /** The judge the service's rollout policy names now (null: no policy). */
  judge: JudgeKind.nullable(),
  verdicts: z.array(verdictEntrySchema(IsoTime)),
});

/** `?last=N`: how many verdicts (default 10). */
export const VerdictsQuery = z.object({
  last: z.coerce
    .number()
    .int()
    .min(1)
    .max(500, "at most 500 verdicts")
    .default(10)
    .describe("how many of the newest verdicts, 1 to 500 (default 10)"),
});

export type VerdictEntry = z.infer<typeof VerdictEntry>;
export type RolloutVerdicts = z.infer<typeof RolloutVerdicts>;
