// What the admin API answers: the Worker checks each response against these before sending it,
// the CLI parses each with the same schema, and the OpenAPI document is generated from them.
// Every time is ISO-8601 (state is stored with epoch ms and converted at this boundary).
import * as z from "zod";
import { ApplyPlan, ReleaseRef, ServingWire } from "./apply-plan.ts";
import { Promotion, TrackRelease } from "./history.ts";
import { IncidentSummary, IncidentWire } from "./incident.ts";
import { releaseEventSchema, releaseStateSchema } from "./release-state.ts";
import { Where } from "./rollout.ts";
import { IsoTime, rolloutStateSchema, VersionFigures } from "./rollout-state.ts";
import { Service } from "./service.ts";
import { ServiceSpec } from "./service-spec.ts";
import { OutcomeRoute } from "./stats.ts";

const Revision = z.number().int().nonnegative();

/** Operator-facing warnings about the deployment (e.g. a missing secret); printed on stderr. */
const Warnings = z.array(z.string());

export const ServiceRecord = z.object({
  name: z.string(),
  revision: Revision,
  updatedAt: IsoTime,
  /** What is served (outside a rollout's split): the spec with the releases Keystone keeps. */
  config: Service,
  /** The service as its config file was last applied: `get -o yaml` prints it. */
  spec: ServiceSpec,
  /** Which release the baseline serves, since which revision and how. */
  serving: ServingWire.nullable(),
  /**
   * The split the data plane serves now: `config.split` with a running (or paused, or ramping
   * back) rollout's weights applied. Absent from Workers older than it: readers fall back to
   * `config.split`.
   */
  split: z.record(z.string(), z.number()).optional(),
  warnings: Warnings.optional(),
});

export const ServiceList = z.object({
  services: z.array(ServiceRecord),
  /**
   * The last name of a page that has services after it (the next page's `cursor`); else null.
   * Absent from Workers older than paging: the CLI reads them too.
   */
  nextCursor: z.string().nullable().optional(),
  warnings: Warnings,
});

export const ChangeResult = z.object({
  name: z.string(),
  revision: Revision,
  changed: z.boolean(),
  /** An apply's: what it did to traffic and rollouts, in words and as data. */
  plan: ApplyPlan.optional(),
});

/** The services' results; with `together`, the release that rolls out their new releases. */
export const FileApplyResult = z.object({
  services: z.array(ChangeResult),
  release: z
    .lazy(() => ReleaseStatus)
    .nullable()
    .optional(),
});

export const Health = z.object({ ok: z.literal(true), warnings: Warnings });

/** As stored, with ISO times; `lastTickAt` is null before the first cron tick (stored as 0). */
export const RolloutStateWire = rolloutStateSchema(IsoTime).extend({
  lastTickAt: IsoTime.nullable(),
});

/** One version's figures over the current step's window. */
export const WindowFigures = VersionFigures.extend({ from: IsoTime, to: IsoTime });

/**
 * A fast-abort halt of an ended rollout's candidate. It may still divert the candidate's traffic
 * in some isolates until `until`: the rollback's publication acknowledged by the registry, plus
 * the isolates' refresh bound. `until` is null while the registry has not acknowledged it.
 */
export const HaltStatus = z.object({
  rolloutId: z.string(),
  version: z.string(),
  sequence: z.number().int(),
  since: IsoTime,
  acknowledgedAt: IsoTime.nullable(),
  until: IsoTime.nullable(),
  mayHold: z.boolean(),
});

export const RolloutStatus = z.object({
  state: RolloutStateWire.nullable(),
  /** The split the data plane serves now. */
  split: z.record(z.string(), z.number()),
  /** Which origin and release each track serves now, and its weight. */
  tracks: z.array(TrackRelease),
  /** Set when the rollout ended promoted: which track took which release. */
  promotion: Promotion.nullable(),
  /** The release the config file asks for (null: it names none, or gives its tracks origins). */
  desired: ReleaseRef.nullable(),
  /** The release the baseline serves, since which revision and how. */
  serving: ServingWire.nullable(),
  /** The outcome routes the analysis counts (null with no active rollout). */
  countedRoutes: z.array(OutcomeRoute).nullable(),
  candidate: WindowFigures.nullable(),
  baseline: WindowFigures.nullable(),
  /** Bake time of the current step (null at a gate or with no rollout). */
  stepBakeMs: z.number().nullable(),
  halt: HaltStatus.nullable(),
  /** The incident of the rollout shown, when it ended rolled back or aborted. */
  incident: z.object({ id: z.string(), summary: z.string() }).nullable(),
  /** The current step's place when it is a regional wave; null: everyone (or no active rollout). */
  place: Where.nullable().optional(),
  /**
   * Set while the step has counted no request for 10 minutes or more: how long, and what the step
   * counts (the sentence rollout.noTraffic records).
   */
  noTraffic: z.string().nullable().optional(),
  /**
   * When the rollout is judged next (its service object's next tick; a ramping rollback's next
   * cut), never before `now`; null when nothing is due. A watcher looks again then.
   */
  nextTickAt: IsoTime.nullable().optional(),
  now: IsoTime,
});

/** `GET /services/{name}/incidents`: newest first. */
export const IncidentList = z.object({
  service: z.string(),
  incidents: z.array(IncidentSummary),
});

/** `GET /services/{name}/incidents/{id}`. */
export const IncidentResponse = IncidentWire;

export const OverrideToken = z.object({
  token: z.string(),
  service: z.string(),
  version: z.string(),
  expiresAt: IsoTime,
});

export const ValidateResult = z.object({
  valid: z.boolean(),
  problems: z.array(z.object({ path: z.string(), message: z.string() })),
});

export const ExplainResult = z.object({
  service: z.string(),
  version: z.string(),
  release: z.string().nullable(),
  reason: z.record(z.string(), z.json()),
  bucket: z.number().int(),
  visitor: z.string(),
  /** The service's sticky.group: its visitors' bucket is shared with the group's other services. */
  group: z.string().nullable().optional(),
  experiments: z.array(
    z.object({ name: z.string(), variant: z.string(), bucket: z.number().int() }),
  ),
  why: z.array(z.string()),
});

export const ReleaseStateWire = releaseStateSchema(IsoTime);
export const ReleaseEventWire = releaseEventSchema(IsoTime);

/** A release: its state, the history of its current run (oldest first), and the time of asking. */
export const ReleaseStatus = z.object({
  release: ReleaseStateWire,
  events: z.array(ReleaseEventWire),
  now: IsoTime,
});

/** What the deploy webhook answers: what setting the release did, the rollout it started, or the release. */
export const DeployHookResult = z.union([ChangeResult, RolloutStateWire, ReleaseStatus]);

export type ServiceRecord = z.infer<typeof ServiceRecord>;
export type ServiceList = z.infer<typeof ServiceList>;
export type ChangeResult = z.infer<typeof ChangeResult>;
export type FileApplyResult = z.infer<typeof FileApplyResult>;
export type RolloutStateWire = z.infer<typeof RolloutStateWire>;
export type WindowFigures = z.infer<typeof WindowFigures>;
export type HaltStatus = z.infer<typeof HaltStatus>;
export type RolloutStatus = z.infer<typeof RolloutStatus>;
export type IncidentList = z.infer<typeof IncidentList>;
export type IncidentResponse = z.infer<typeof IncidentResponse>;
export type ExplainResult = z.infer<typeof ExplainResult>;
export type ReleaseStateWire = z.infer<typeof ReleaseStateWire>;
export type ReleaseStatus = z.infer<typeof ReleaseStatus>;
