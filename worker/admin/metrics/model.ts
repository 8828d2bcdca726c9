// What /_keystone/metrics exports, as data: a snapshot of every service, version and rollout that
// the Prometheus renderer turns into text. One adapter fills it from the Durable Objects.
import * as z from "zod";
import { MirrorCounts } from "../../../schemas/mirror.ts";
import { RolloutPhase } from "../../../schemas/rollout-state.ts";

/**
 * Why requests reached a version. An outcome route "rule:<name>" counts as "rule": rule names
 * are free text, and a label per rule would let a config multiply the series without bound.
 */
export const TrafficReason = z.enum([
  "split",
  "rule",
  "override",
  "experiment",
  "halted",
  "affinity",
  "wave-outside",
  "visitor-limit",
]);

/** Upper bounds (seconds) of the exported latency histogram; +Inf is implied by the count. */
export const LATENCY_BUCKETS_SECONDS = [
  0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.35, 0.5, 0.75, 1, 1.5, 2, 2.5, 5, 10,
] as const;

const Count = z.number().int().nonnegative();
const Instant = z.iso.datetime();

/** Requests and errors since the version's stats began: they only ever rise. */
export const TrafficCounter = z.object({
  reason: TrafficReason,
  requests: Count,
  errors: Count,
  /** Requests the client did not finish (body stalled or abandoned): in neither of the above. */
  clientIncomplete: Count,
});

/** Cumulative counts at or below each bound of LATENCY_BUCKETS_SECONDS, in that order. */
export const LatencyHistogramSeconds = z
  .object({
    buckets: z.array(Count).length(LATENCY_BUCKETS_SECONDS.length),
    count: Count,
    sumSeconds: z.number().nonnegative(),
  })
  .refine((h) => h.buckets.every((n, i) => n <= (h.buckets[i + 1] ?? h.count)), {
    message: "bucket counts must be cumulative and at most the total count",
  });

/** healthy / failing: the version's healthPath answered 2xx or not; unchecked: it has none. */
export const HealthState = z.enum(["healthy", "failing", "unchecked"]);

/** The version's part in the service's (latest or next) rollout. */
export const VersionRole = z.enum(["candidate", "baseline", "other"]);

export const VersionMetrics = z.object({
  name: z.string(),
  release: z.string().nullable(),
  role: VersionRole,
  /** The configured share of public traffic now (the rollout's weight already applied). */
  weightPercent: z.number().min(0).max(100),
  traffic: z.array(TrafficCounter),
  latency: LatencyHistogramSeconds,
  health: HealthState,
  /** Shadow traffic compared against this version (the service mirrors to it); rising counts. */
  mirror: MirrorCounts.nullable().optional(),
});

/** The analysis checks of a rollout step; minRequests passes at or above, the others at or below. */
export const AnalysisCheck = z.enum([
  "minRequests",
  "errorRate",
  "p95",
  "errorRateDelta",
  "latencyRatio",
]);

/**
 * A check of the last verdict, in Prometheus units: errorRate and errorRateDelta in percent,
 * p95 in seconds, latencyRatio as a ratio, minRequests as a count of requests.
 */
export const CheckVerdict = z.object({
  check: AnalysisCheck,
  value: z.number(),
  threshold: z.number(),
  passed: z.boolean(),
});

export const RolloutMetrics = z.object({
  candidate: z.string(),
  baseline: z.string(),
  phase: RolloutPhase,
  /** 1-based. */
  step: z.number().int().positive(),
  stepCount: z.number().int().positive(),
  startedAt: Instant,
  /** Bake time left in the current step; null at a gate or once the rollout has ended. */
  bakeLeftSeconds: z.number().nonnegative().nullable(),
  lastVerdictAt: Instant.nullable(),
  checks: z.array(CheckVerdict),
  /** The current step's place when it is a regional wave ("country NZ, AU"); null: everyone. */
  place: z.string().nullable().optional(),
});

export const DeploymentCounts = z.object({
  promoted: Count,
  rolledBack: Count,
  aborted: Count,
});

export const ServiceMetrics = z.object({
  name: z.string(),
  versions: z.array(VersionMetrics),
  rollout: RolloutMetrics.nullable(),
  deployments: DeploymentCounts,
});

/** The route document in KV, and how many publications the registry made that it lacks. */
export const RouteTableMetrics = z.object({
  generation: Count,
  publishedAt: Instant,
  pendingGenerations: Count,
});

export const MetricsSnapshot = z.object({
  services: z.array(ServiceMetrics),
  /** null before the first publication. */
  routeTable: RouteTableMetrics.nullable(),
});

export type TrafficReason = z.infer<typeof TrafficReason>;
export type TrafficCounter = z.infer<typeof TrafficCounter>;
export type LatencyHistogramSeconds = z.infer<typeof LatencyHistogramSeconds>;
export type HealthState = z.infer<typeof HealthState>;
export type VersionRole = z.infer<typeof VersionRole>;
export type VersionMetrics = z.infer<typeof VersionMetrics>;
export type AnalysisCheck = z.infer<typeof AnalysisCheck>;
export type CheckVerdict = z.infer<typeof CheckVerdict>;
export type RolloutMetrics = z.infer<typeof RolloutMetrics>;
export type DeploymentCounts = z.infer<typeof DeploymentCounts>;
export type ServiceMetrics = z.infer<typeof ServiceMetrics>;
export type RouteTableMetrics = z.infer<typeof RouteTableMetrics>;
export type MetricsSnapshot = z.infer<typeof MetricsSnapshot>;
