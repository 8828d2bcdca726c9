// What applying a config file does to a service, as the ledger decides it (apply) and predicts it
// (diff, apply --dry-run: the same decision, not stored), and the serving state it decides from:
// which release serves, since when, and which served before.
import * as z from "zod";
import { Failure } from "./result.ts";
import { EpochMs, IsoTime } from "./rollout-state.ts";
import { ServiceSpec } from "./service-spec.ts";

/** A release as a track serves it: its name (null when the file gave none) and its origin. */
export const ReleaseRef = z.object({ name: z.string().nullable(), origin: z.string() });

export const ServedHow = z.enum(["created", "applied", "promoted", "reverted"]);

export function servingSinceSchema<T extends z.ZodType>(time: T) {
  return ReleaseRef.extend({
    /** The revision that made it serve, how, and (for a promotion) the rollout's id. */
    revision: z.number().int().nonnegative(),
    how: ServedHow,
    rolloutId: z.string().nullable(),
    at: time,
  });
}

/**
 * A release a newer one replaced before it served: its rollout was superseded, or it was rolled
 * back and a later apply went on to another release. Names without an order (a git SHA) say
 * nothing of which build is newer; this does.
 */
export const OvertakenRelease = ReleaseRef.extend({
  /** The release the apply went on to, and the revision that apply stored. */
  by: ReleaseRef,
  revision: z.number().int().nonnegative(),
});

/** The release the baseline serves, kept by the ledger: a file naming an older one is refused. */
export const ServingState = z.object({
  current: servingSinceSchema(EpochMs),
  /** Releases that served before, newest first: a file naming one of them is behind. */
  past: z.array(ReleaseRef).max(20),
  /**
   * Releases overtaken before they served, newest first: a file naming one is behind too.
   * Absent in states stored before it was kept.
   */
  overtaken: z.array(OvertakenRelease).max(20).optional(),
});

export const ServingWire = servingSinceSchema(IsoTime);

/**
 * create: a new service. unchanged: nothing to store. update: a new revision, traffic as it is.
 * rollout: the policy's first step toward the file's release. switch: 100 % to it at once.
 * supersede: the running rollout ends, and (with a new release) one toward it starts.
 * release: rolled out with the file's other changed services as one release.
 * held: the file names a release that was rolled back; it is not retried by itself.
 * pending: a new service whose file names no release yet: created by the first deploy naming one.
 */
export const PlanOutcome = z.enum([
  "create",
  "pending",
  "unchanged",
  "update",
  "rollout",
  "switch",
  "supersede",
  "release",
  "held",
]);

export const ApplyPlan = z.object({
  outcome: PlanOutcome,
  /** What apply would do, in words (diff); `done` says it once done (apply). */
  words: z.string(),
  done: z.string(),
  /** Whether a new revision is stored. */
  revision: z.boolean(),
  /** The release the file asks for (null: it names none, whatever serves stays). */
  desired: ReleaseRef.nullable(),
  serving: ReleaseRef.nullable(),
  /** The release a running rollout is taking the service to. */
  rolling: ReleaseRef.nullable(),
  /** The rollout it starts (apply only), for a pipeline to wait on. */
  rolloutId: z.string().nullable(),
  /** The release (the file's `together`) it is rolled out with. */
  release: z.string().nullable(),
});

/** One service of a file, previewed: where it stands, and what apply would do or why not. */
export const ServicePreview = z.object({
  name: z.string(),
  /** 0 for a service that does not exist. */
  revision: z.number().int().nonnegative(),
  /** The spec stored now (the file as last applied), null for a new service. */
  spec: ServiceSpec.nullable(),
  /** The spec apply would store (the file, with the release it leaves to deploys kept). */
  next: ServiceSpec.nullable(),
  plan: ApplyPlan.nullable(),
  /** Set when apply would refuse this service: nothing of the file would be stored. */
  refused: Failure.nullable(),
});

export const FilePreview = z.object({ services: z.array(ServicePreview) });

export type ReleaseRef = z.infer<typeof ReleaseRef>;
export type ServedHow = z.infer<typeof ServedHow>;
export type ServingState = z.infer<typeof ServingState>;
export type OvertakenRelease = z.infer<typeof OvertakenRelease>;
export type ServingWire = z.infer<typeof ServingWire>;
export type PlanOutcome = z.infer<typeof PlanOutcome>;
export type ApplyPlan = z.infer<typeof ApplyPlan>;
export type ServicePreview = z.infer<typeof ServicePreview>;
export type FilePreview = z.infer<typeof FilePreview>;
