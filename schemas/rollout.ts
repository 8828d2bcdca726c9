// Progressive-delivery policy of a service: strategy, steps, analysis thresholds, gates.
import * as z from "zod";
import { AnalysisMetrics } from "./analysis-metrics.ts";
import {
  COLO,
  CONTINENTS,
  COUNTRY,
  LOOPBACK_HOSTS,
  MAX_RAMP_MS,
  MIN_RAMP_MS,
} from "./config-words.ts";
import { Duration, parseDuration } from "./duration.ts";
import { NotifyEvent } from "./event-types.ts";
import { ConfidencePercent, JudgeKind, MinErrorRateIncreasePercent } from "./judge.ts";
import { Percent } from "./split.ts";

export { NotifyEvent } from "./event-types.ts";

export const RolloutStrategy = z.enum(["canary", "linear", "blueGreen"]);

/** Cloudflare's continent codes (`request.cf.continent`). */
export const Continent = z.enum(CONTINENTS);

/**
 * A regional wave: the places where a step's weight holds (any key given may match). Requests
 * from elsewhere stay on the baseline during that step.
 */
export const Where = z
  .strictObject({
    country: z
      .array(z.string().regex(COUNTRY, "country codes have two letters").toUpperCase())
      .min(1)
      .optional(),
    colo: z
      .array(z.string().regex(COLO, "colo codes have three letters").toUpperCase())
      .min(1)
      .optional(),
    continent: z.array(Continent).min(1).optional(),
  })
  .superRefine((where, ctx) => {
    if (!where.country && !where.colo && !where.continent)
      ctx.addIssue({ code: "custom", message: "needs at least one of country, colo, continent" });
  });

/** A canary step: a weight held for a bake time, or a manual gate. */
export const RolloutStep = z
  .strictObject({
    weight: Percent.optional(),
    bake: Duration.optional(),
    pause: z.literal(true).optional(),
    where: Where.optional(),
  })
  .superRefine((step, ctx) => {
    if (step.pause && (step.weight !== undefined || step.bake !== undefined)) {
      ctx.addIssue({ code: "custom", message: "a pause step has no weight or bake" });
    }
    if (step.pause && step.where !== undefined) {
      ctx.addIssue({
        code: "custom",
        path: ["where"],
        message: "a pause step keeps the place of the step before it: put where on a weight step",
      });
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
  /**
   * threshold judge: candidate p95 over baseline p95. statistical judge: the median ratio its
   * latency test holds the candidate to (default 1.2); the p95 ratio is then not checked.
   */
  maxLatencyRatio: z.number().positive().optional(),
  /** Who judges each step: the threshold limits (default) or the statistical judge. */
  judge: JudgeKind.optional(),
  /** Statistical judge: how sure it must be to fail or pass (default 99). */
  confidencePercent: ConfidencePercent.optional(),
  /** Statistical judge: the smallest error-rate increase worth a rollback, in pp (default 0.5). */
  minErrorRateIncreasePercent: MinErrorRateIncreasePercent.optional(),
  /** Shadow traffic: the most mirrored responses that may differ from the primary's, in percent. */
  maxMirrorMismatchPercent: Percent.optional(),
  failureLimit: z.number().int().nonnegative().default(1),
  /**
   * The most requests of one visitor (and ten times as many of one client address) counted in a
   * step's window, per isolate (default 20): a handful of clients can neither fail nor pass a step.
   */
  maxRequestsPerVisitor: z.number().int().min(1).max(1_000_000).optional(),
  /**
   * Rules whose traffic counts in the analysis, besides the split and experiment pins. Forced
   * traffic (other rules, override tokens) is left out so it can neither poison nor dilute a verdict.
   */
  countRules: z.array(z.string().min(1)).optional(),
  /** A team's own metrics, queried from their providers at each tick (docs/analysis.md). */
  metrics: AnalysisMetrics.optional(),
});

const Url = z.url({ protocol: /^https?$/, error: "not an http(s) URL" });

/** Notify targets get signed rollout events: https only, plain http only to this machine. */
const NotifyUrl = Url.refine(
  (text) => {
    // z.url has said why a text that does not parse is refused (new URL would throw here).
    if (!URL.canParse(text)) return true;
    const url = new URL(text);
    return url.protocol === "https:" || LOOPBACK_HOSTS.has(url.hostname);
  },
  { message: "use an https URL (http only for 127.0.0.1, ::1 or localhost)" },
);

/** A gate: an http(s) URL with no credentials (a token may go in its query, never shown). */
const GateUrl = Url.refine((text) => {
  if (!URL.canParse(text)) return true; // z.url has said why
  const url = new URL(text);
  return !url.username && !url.password;
}, "a gate URL cannot hold credentials (user:pass@): put a token in its query, which Keystone never shows");

export const Gates = z.strictObject({
  /** Called before each step's weight is applied; a non-2xx answer holds the step. */
  beforeStep: z.array(GateUrl).default([]),
  /** Called before promotion; a non-2xx answer holds. */
  beforePromote: z.array(GateUrl).default([]),
});

export const FailureAction = z.enum(["rollback", "pause"]);

/**
 * What a failed analysis does, as an object: `ramp` (rollback only) returns the traffic to the
 * baseline in steps over that time instead of at once.
 */
export const FailurePolicy = z
  .strictObject({
    action: FailureAction,
    ramp: Duration.refine((text) => (parseDuration(text) ?? 0) <= MAX_RAMP_MS, {
      message: "at most 1h",
    })
      .refine((text) => (parseDuration(text) ?? 0) >= MIN_RAMP_MS, { message: "at least 1s" })
      .optional(),
  })
  .superRefine((policy, ctx) => {
    if (policy.ramp !== undefined && policy.action !== "rollback")
      ctx.addIssue({ code: "custom", path: ["ramp"], message: "only a rollback can ramp" });
  });

export const Rollout = z
  .strictObject({
    strategy: RolloutStrategy,
    candidate: z.string().optional(),
    steps: z.array(RolloutStep).min(1).optional(),
    stepPercent: Percent.optional(),
    bake: Duration.optional(),
    maxWeight: Percent.optional(),
    analysis: Analysis.default(Analysis.parse({})),
    onFailure: z.union([FailureAction, FailurePolicy]).default("rollback"),
    gates: Gates.optional(),
    /** How long a rollout may stay in one step (held, at a gate, paused) before onDeadline acts. */
    progressDeadline: Duration.optional(),
    /** At the progress deadline: abort the rollout (default) or notify once. */
    onDeadline: z.enum(["abort", "notify"]).optional(),
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

/** json: Keystone's signed event; slack: Slack- and Mattermost-compatible text and blocks. */
export const NotifyFormat = z.enum(["json", "slack"]);

export const Notify = z.strictObject({
  url: NotifyUrl,
  events: z.array(NotifyEvent).min(1),
  format: NotifyFormat.default("json"),
});

export type RolloutStep = z.infer<typeof RolloutStep>;
export type Where = z.infer<typeof Where>;
export type FailurePolicy = z.infer<typeof FailurePolicy>;
export type Rollout = z.infer<typeof Rollout>;
export type Analysis = z.infer<typeof Analysis>;
export type RolloutStrategy = z.infer<typeof RolloutStrategy>;
export type NotifyFormat = z.infer<typeof NotifyFormat>;
