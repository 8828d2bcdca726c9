// Progressive-delivery policy of a service: strategy, steps, analysis thresholds, gates.
import * as z from "zod";
import { Duration } from "./duration.ts";
import { Percent } from "./split.ts";

/** A canary step: a weight held for a bake time, or a manual gate. */
export const RolloutStep = z
  .strictObject({
    weight: Percent.optional(),
    bake: Duration.optional(),
    pause: z.literal(true).optional(),
  })
  .superRefine((step, ctx) => {
    if (step.pause && (step.weight !== undefined || step.bake !== undefined)) {
      ctx.addIssue({ code: "custom", message: "a pause step has no weight or bake" });
    }
    if (!step.pause && (step.weight === undefined || step.bake === undefined)) {
      ctx.addIssue({ code: "custom", message: "a step needs weight and bake, or pause: true" });
    }
  });

export const Analysis = z.strictObject({
  minRequests: z.number().int().nonnegative().default(100),
  maxErrorRatePercent: Percent.default(5),
  maxP95Ms: z.number().positive().optional(),
  maxErrorRateDeltaPercent: Percent.optional(),
  maxLatencyRatio: z.number().positive().optional(),
  failureLimit: z.number().int().nonnegative().default(1),
});

const Url = z.url({ protocol: /^https?$/, error: "not an http(s) URL" });

export const Gates = z.strictObject({
  /** Called before each step's weight is applied; a non-2xx answer holds the step. */
  beforeStep: z.array(Url).default([]),
  /** Called before promotion; a non-2xx answer holds. */
  beforePromote: z.array(Url).default([]),
});

export const Rollout = z
  .strictObject({
    strategy: z.enum(["canary", "linear", "blueGreen"]),
    candidate: z.string().optional(),
    steps: z.array(RolloutStep).min(1).optional(),
    stepPercent: Percent.optional(),
    bake: Duration.optional(),
    maxWeight: Percent.optional(),
    analysis: Analysis.default(Analysis.parse({})),
    onFailure: z.enum(["rollback", "pause"]).default("rollback"),
    gates: Gates.optional(),
  })
  .superRefine((rollout, ctx) => {
    if (rollout.strategy === "canary" && !rollout.steps) {
      ctx.addIssue({ code: "custom", path: ["steps"], message: "a canary rollout needs steps" });
    }
    if (rollout.strategy === "linear") {
      for (const key of ["stepPercent", "bake"] as const) {
        if (rollout[key] === undefined) {
          ctx.addIssue({ code: "custom", path: [key], message: `a linear rollout needs ${key}` });
        }
      }
      if (rollout.stepPercent === 0) {
        ctx.addIssue({ code: "custom", path: ["stepPercent"], message: "must be above 0" });
      }
    }
    if (rollout.strategy !== "canary" && rollout.steps) {
      ctx.addIssue({ code: "custom", path: ["steps"], message: "steps are for canary rollouts" });
    }
  });

export const NotifyEvent = z.enum([
  "rollout.started",
  "rollout.advanced",
  "rollout.paused",
  "rollout.resumed",
  "rollout.promoted",
  "rollout.rolledBack",
  "rollout.aborted",
  "config.applied",
]);

export const Notify = z.strictObject({
  url: Url,
  events: z.array(NotifyEvent).min(1),
});

export type RolloutStep = z.infer<typeof RolloutStep>;
export type Rollout = z.infer<typeof Rollout>;
export type Analysis = z.infer<typeof Analysis>;
export type NotifyEvent = z.infer<typeof NotifyEvent>;
