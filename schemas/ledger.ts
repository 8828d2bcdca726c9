// The service ledger's boundary: the commands a service object accepts over RPC, the effects its
// decisions leave in the outbox, what the registry is sent, and the small head it stores.
import * as z from "zod";
import { ApplyPlan, ServingState } from "./apply-plan.ts";
import { Attribution } from "./attribution.ts";
import { Together } from "./config-file.ts";
import { NotifyEvent } from "./event-types.ts";
import { EventDetail } from "./history.ts";
import { Incident } from "./incident.ts";
import { LiveRouting } from "./live-routing.ts";
import { NotifyFormat, RolloutStrategy } from "./rollout.ts";
import { EpochMs, HeldBy, RolloutState } from "./rollout-state.ts";
import { Service } from "./service.ts";
import { ServiceSpec } from "./service-spec.ts";
import { Split } from "./split.ts";
import { HaltSignal } from "./stats.ts";
import { HeaderValue, OriginUrl } from "./wire-values.ts";

const Revision = z.number().int().nonnegative();
const Sequence = z.number().int().nonnegative();

/** The revision a change was based on; a stale one is refused. */
const Based = { baseRevision: Revision.optional(), ...Attribution };

/**
 * A config file's service: its spec, converged under the service's policy (docs/config.md).
 * force: serve it even when it is behind what serves; instant: switch at once, no rollout;
 * together: roll out a new release with the file's other services as one release; strategy:
 * the rollout's strategy, when one starts (the deploy webhook's, as rollout start takes it).
 */
export const ApplyCommand = z.object({
  kind: z.literal("apply"),
  config: ServiceSpec,
  force: z.boolean().optional(),
  instant: z.boolean().optional(),
  together: Together.optional(),
  strategy: RolloutStrategy.optional(),
  ...Based,
});
export const RevertCommand = z.object({
  kind: z.literal("revert"),
  to: z.number().int().min(1, "a revision number, 1 or more"),
  ...Based,
});
export const DeleteCommand = z.object({ kind: z.literal("delete"), ...Based });
export const WeightsCommand = z.object({ kind: z.literal("weights"), split: Split, ...Based });
export const RolloutStartCommand = z.object({
  kind: z.literal("rollout.start"),
  origin: OriginUrl.optional(),
  release: HeaderValue.optional(),
  strategy: RolloutStrategy.optional(),
  /** Started by a release: the final promotion becomes a hold until the release promotes it. */
  heldBy: HeldBy.optional(),
  /**
   * A release started with --force: its start may go back past the release serving. Without it a
   * release's start toward a release behind what serves is refused (a pipeline's old job re-run).
   */
  force: z.boolean().optional(),
  ...Attribution,
});
const action = <K extends string>(kind: K) =>
  z.object({ kind: z.literal(kind), full: z.boolean().optional(), ...Attribution });
/** Sent by a release for a rollout it holds: refused for any other rollout. */
const OnBehalf = { onBehalfOf: z.string().optional() };
export const RolloutPromoteCommand = action("rollout.promote").extend(OnBehalf);
export const RolloutPauseCommand = action("rollout.pause");
export const RolloutResumeCommand = action("rollout.resume");
export const RolloutAbortCommand = action("rollout.abort").extend(OnBehalf);

/** Changes that may move hosts: applied in two phases, the registry deciding the host claims. */
export const ClaimingCommand = z.discriminatedUnion("kind", [
  ApplyCommand,
  RevertCommand,
  DeleteCommand,
]);

/** Changes a service object decides alone. */
export const DirectCommand = z.discriminatedUnion("kind", [
  WeightsCommand,
  RolloutStartCommand,
  RolloutPromoteCommand,
  RolloutPauseCommand,
  RolloutResumeCommand,
  RolloutAbortCommand,
]);

export const Command = z.discriminatedUnion("kind", [
  ...ClaimingCommand.options,
  ...DirectCommand.options,
]);

/** What the data plane should serve for one service: its effective config (null: deleted). */
export const Publication = z.object({
  service: z.string(),
  /** Rises with every change of the service's effective routing; the registry keeps the highest. */
  sequence: Sequence,
  config: Service.nullable(),
  /** Whether a rollout is active or ramping back (the cron ticks those). */
  rolloutActive: z.boolean(),
  /** Pin scope and regional wave for the data plane (absent: no rollout yet, no wave). */
  live: LiveRouting.optional(),
});

export const PublishAck = z.object({
  /** False when the registry already held this sequence or a later one (harmless). */
  stored: z.boolean(),
  sequence: Sequence,
});

/** Where a notification goes and in which body; effects stored before formats held bare URLs. */
export const NotifyTarget = z.union([
  z.object({ url: z.string(), format: NotifyFormat }),
  z.string().transform((url) => ({ url, format: "json" as const })),
]);

export const Effect = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("publish"), publication: Publication }),
  z.object({
    kind: z.literal("notify"),
    service: z.string(),
    event: NotifyEvent,
    text: z.string(),
    targets: z.array(NotifyTarget).min(1),
    detail: EventDetail.nullable(),
    at: EpochMs,
    /** A rollback's or abort's incident, as decided (the last candidate request comes later). */
    incident: Incident.optional(),
  }),
  /**
   * After a rollout ended badly: read when the candidate last got a request the rollout sent it,
   * into incident `incidentId`; delivered again until the fast-abort halt's bound has passed.
   */
  z.object({
    kind: z.literal("traceCandidate"),
    service: z.string(),
    version: z.string(),
    rolloutId: z.string(),
    incidentId: z.string(),
    from: EpochMs,
  }),
  z.object({
    kind: z.literal("halt"),
    service: z.string(),
    version: z.string(),
    signal: HaltSignal,
  }),
  z.object({
    kind: z.literal("resume"),
    service: z.string(),
    version: z.string(),
    rolloutId: z.string(),
  }),
]);

/** The fast-abort halt of an ended rollout's candidate, kept to tell operators while it may hold. */
export const HaltRecord = z.object({
  rolloutId: z.string(),
  version: z.string(),
  /** The publication that carries the rollback. */
  sequence: Sequence,
  since: EpochMs,
  /** When the registry acknowledged that publication (or a later one). */
  acknowledgedAt: EpochMs.nullable(),
});

/** The small state a service object keeps beside its revisions and history. */
export const ServiceHead = z.object({
  format: z.literal(1),
  sequence: Sequence,
  /** The highest publication sequence the registry acknowledged. */
  acknowledged: Sequence,
  rollout: RolloutState.nullable(),
  halt: HaltRecord.nullable(),
  /** Which release serves and which served before (absent in heads stored before it was kept). */
  serving: ServingState.nullable().optional(),
});

/** Phase one of a claiming change: what the service would publish, held until commit or abort. */
export const Prepared = z.object({
  service: z.string(),
  changed: z.boolean(),
  /** An apply's plan (what the commit will do, or why nothing changes). */
  plan: ApplyPlan.optional(),
  /** The revision now (unchanged) or the one the commit will store. */
  revision: Revision,
  publication: Publication.nullable(),
});

export const TxOutcome = z.enum(["committed", "aborted"]);

/** What a cron tick did to one service. */
export const TickReply = z.discriminatedUnion("ticked", [
  z.object({ ticked: z.literal(true), phase: z.string(), outcome: z.string() }),
  z.object({ ticked: z.literal(false), why: z.string() }),
]);

/** Ended rollouts by outcome, for /_keystone/metrics. */
export const DeploymentCounts = z.object({
  promoted: z.number().int(),
  rolledBack: z.number().int(),
  aborted: z.number().int(),
});

/** A live service as the registry holds it: its last published effective config. */
export const RegistryEntry = z.object({
  name: z.string(),
  sequence: Sequence,
  config: Service,
});

export type Command = z.infer<typeof Command>;
export type ApplyCommand = z.infer<typeof ApplyCommand>;
export type RevertCommand = z.infer<typeof RevertCommand>;
export type DeleteCommand = z.infer<typeof DeleteCommand>;
export type WeightsCommand = z.infer<typeof WeightsCommand>;
export type RolloutStartCommand = z.infer<typeof RolloutStartCommand>;
export type ClaimingCommand = z.infer<typeof ClaimingCommand>;
export type DirectCommand = z.infer<typeof DirectCommand>;
export type Publication = z.infer<typeof Publication>;
export type PublishAck = z.infer<typeof PublishAck>;
export type Effect = z.infer<typeof Effect>;
export type NotifyTarget = z.infer<typeof NotifyTarget>;
export type HaltRecord = z.infer<typeof HaltRecord>;
export type ServiceHead = z.infer<typeof ServiceHead>;
export type Prepared = z.infer<typeof Prepared>;
export type TxOutcome = z.infer<typeof TxOutcome>;
export type TickReply = z.infer<typeof TickReply>;
export type DeploymentCounts = z.infer<typeof DeploymentCounts>;
export type RegistryEntry = z.infer<typeof RegistryEntry>;
