// Bodies of the admin API, in and out: the CLI and the Worker parse them with the same schemas.
import * as z from "zod";
import { Attribution, Author } from "./attribution.ts";
import { parseIp } from "./cidr.ts";
import { Together } from "./config-file.ts";
import { COLO, COUNTRY } from "./config-words.ts";
import { duplicates } from "./cross-checks.ts";
import { Duration, parseDuration } from "./duration.ts";
import { ErrorCode } from "./error-code.ts";
import { ReleaseFile } from "./release-file.ts";
import { RolloutStrategy } from "./rollout.ts";
import { ServiceName } from "./service.ts";
import { ServiceSpec } from "./service-spec.ts";
import { Split } from "./split.ts";
import { HeaderValue, OriginUrl } from "./wire-values.ts";

const Revision = z.number().int().nonnegative();

/** The revision a change is based on: optimistic concurrency, said once for every body. */
const BaseRevision = Revision.optional().describe(
  "the service's revision this change was based on (getService answers it); a stale one is refused with 409 conflict: read again and retry. 0 for a new service; leave out to skip the check",
);

/** The largest admin request body (1 MiB): a config of many services fits easily. */
export const MAX_BODY_BYTES = 1024 * 1024;

/** The most services one page of `GET /services` holds: a page, not the whole fleet's configs. */
export const MAX_SERVICES_PAGE = 100;

/**
 * `?limit=N&cursor=NAME`: a page of services in name order. Without a limit every service is
 * answered (`keystone get`); a page ends with the cursor of the next, names being stable where
 * offsets shift as services come and go.
 */
export const ServiceListQuery = z.object({
  limit: z.coerce
    .number()
    .int()
    .min(1)
    .max(MAX_SERVICES_PAGE, `at most ${MAX_SERVICES_PAGE} services a page`)
    .optional()
    .describe(`how many services a page, 1 to ${MAX_SERVICES_PAGE}`),
  cursor: ServiceName.optional().describe(
    "the nextCursor of the page before: the services named after it, in name order",
  ),
});

/**
 * How an apply converges (docs/config.md): force serves what the file says even when it is behind
 * what serves; instant switches to a new release at once instead of under the rollout policy.
 */
const Convergence = {
  force: z
    .boolean()
    .optional()
    .describe(
      "serve what the config says even when it is behind what serves (an older release, an undone promotion); refused without it. Recorded in history as forced",
    ),
  instant: z
    .boolean()
    .optional()
    .describe(
      "switch to a new release at once instead of rolling it out under the service's rollout policy (keystone apply --now)",
    ),
};

export const ApplyBody = z.strictObject({
  config: ServiceSpec.describe(
    "the service's config, as one entry of a config file's services (JSON; its name must be the name argument)",
  ),
  /** The revision the change was based on; a stale one is refused with 409. 0 for a new service. */
  baseRevision: BaseRevision,
  ...Convergence,
  ...Attribution,
});

/**
 * One file's services applied together: host moves and swaps between them land all or nothing;
 * with `together`, the new releases it names roll out as one release. `POST /plan` takes the same
 * body and answers what apply would do, storing nothing.
 */
export const FileApplyBody = z
  .strictObject({
    services: z
      .array(z.strictObject({ config: ServiceSpec, baseRevision: BaseRevision }))
      .min(1, "list at least one service")
      .describe(
        "the file's services, each as {config, baseRevision?}: config is one entry of the file's services (JSON)",
      ),
    together: Together.optional().describe(
      "roll out the new releases this file names as one release of this name (the file's together:)",
    ),
    ...Convergence,
    ...Attribution,
  })
  .superRefine((body, ctx) => {
    const names = body.services.map((s) => s.config.name);
    for (const issue of duplicates(names, ["services"], "service", "config"))
      ctx.addIssue({ code: "custom", path: [...issue.path, "name"], message: issue.message });
  });

export const WeightsBody = z.strictObject({
  split: Split.describe(
    "percent per version, summing to 100, such as {stable: 90, canary: 10}; refused while a rollout controls the weights",
  ),
  baseRevision: BaseRevision,
  ...Attribution,
});

export const RevertBody = z.strictObject({
  to: z
    .number()
    .int()
    .min(1, "a revision number, 1 or more")
    .describe("the earlier revision to serve again (serviceHistory lists them)"),
  baseRevision: BaseRevision,
  ...Attribution,
});

export const DeleteBody = z.strictObject({ baseRevision: BaseRevision, ...Attribution });

/** A request described as data, for `explain`: each fact checked as a client would send it. */
export const ExplainRequest = z.strictObject({
  host: z.string().optional(),
  path: z.string().startsWith("/").optional(),
  method: z.string().optional(),
  headers: z.record(z.string(), z.string()).optional(),
  cookies: z.record(z.string(), z.string()).optional(),
  query: z.record(z.string(), z.string()).optional(),
  ip: z
    .string()
    .refine((text) => parseIp(text) !== undefined, "not an IPv4 or IPv6 address")
    .optional(),
  country: z.string().regex(COUNTRY, "a two-letter country code (ISO 3166-1), like DE").optional(),
  colo: z.string().regex(COLO, "a three-letter colo code, like FRA").optional(),
  continent: z
    .string()
    .regex(/^(AF|AN|AS|EU|NA|OC|SA)$/i, "a two-letter continent code (AF, AN, AS, EU, NA, OC, SA)")
    .optional(),
  asn: z.number().int().optional(),
});

export const ExplainBody = z.strictObject({
  service: z
    .string()
    .optional()
    .describe(
      "the service to explain against; left out, the one the request's host and path reach",
    ),
  request: ExplainRequest.describe(
    "the request as data: host, path, method, headers, cookies, query, ip, country, colo, continent, asn (all optional)",
  ),
});

/** Override tokens cannot be revoked one by one (only by rotating OVERRIDE_SECRET): keep them short. */
const MAX_OVERRIDE_TTL_MS = 7 * 86_400_000;

/** Shorter than this, a token would expire before anyone could use it. */
const MIN_OVERRIDE_TTL_MS = 60_000;

export const OverrideTokenBody = z.strictObject({
  version: z.string(),
  ttl: Duration.refine((text) => (parseDuration(text) ?? 0) <= MAX_OVERRIDE_TTL_MS, {
    message: "at most 7 days (7d)",
  })
    .refine((text) => (parseDuration(text) ?? 0) >= MIN_OVERRIDE_TTL_MS, {
      message: "at least 1 minute (1m)",
    })
    .default("1h"),
});

/** A new origin and release for the candidate: both end up on the wire, so both are checked here. */
const CandidateChange = {
  origin: OriginUrl.optional().describe(
    "the candidate's new origin URL; left out, the candidate track keeps its own",
  ),
  release: HeaderValue.optional().describe(
    "the candidate's new release name; left out, the candidate track keeps its own",
  ),
  strategy: RolloutStrategy.optional().describe(
    "canary, linear or blueGreen; left out, the service's rollout policy's",
  ),
};

export const RolloutStartBody = z.strictObject({ ...CandidateChange, ...Attribution });

/** Pause, resume, abort: who and why, nothing else. */
export const RolloutActionBody = z.strictObject({ ...Attribution });

/** Promote: past a gate to the next step, or with `full` all traffic to the candidate now. */
export const RolloutPromoteBody = z.strictObject({
  full: z
    .boolean()
    .optional()
    .describe(
      "true: give the candidate all traffic now and end the rollout promoted; left out: move past the gate (or the bake) to the next step",
    ),
  ...Attribution,
});

/**
 * The CI deploy webhook: a service's new release. With both `release` and `origin` it sets the
 * service's release (as `apply --release`: converged under its policy, a repeat changes nothing);
 * otherwise it starts a rollout as `rollout start` does.
 */
export const DeployHookBody = z.strictObject({
  service: z.string(),
  ...CandidateChange,
  author: Author.optional(),
});

/** The deploy webhook's body: a rollout start, or a release file's content (it lists services). */
export const DeployHookRequest = z.union([DeployHookBody, ReleaseFile]);

/** keystone release start: the release file, checked as it enters (problems under `file.`). */
export const ReleaseStartBody = z.strictObject({
  file: ReleaseFile.describe("the release file, as JSON (docs/releases.md)"),
  force: z
    .boolean()
    .optional()
    .describe(
      "start it even where a service's release is behind the one serving (a rollback on purpose, said in the release's history); without it such a service's start is refused and the release rolls back",
    ),
  ...Attribution,
});

export const ReleaseAbortBody = z.strictObject({ ...Attribution });

/** One isolate's hot-path counters (GET /_keystone/v1/isolate). */
export const IsolateCounters = z.object({
  requestsServed: z.number().int(),
  routeTableReads: z.number().int(),
  statsFlushCalls: z.number().int(),
  droppedOutcomeBatches: z.number().int(),
  /** Outcomes never recorded: series bound hit, or their flush given up after retries. */
  droppedOutcomes: z.number().int(),
  tableGeneration: z.number().int().nullable(),
  haltedVersions: z.array(z.string()),
  /** Route-document entries skipped (failed the schema or did not compile), counted per load. */
  rejectedEntries: z.number().int(),
  /** Services whose latest entry was skipped: served from their last good form, or not at all. */
  rejectedServices: z.array(z.string()),
  /** Admin API requests refused for a missing or wrong bearer token. */
  failedAdminAuth: z.number().int(),
  /** Shadow traffic: copies started, skipped for the isolate's caps or an open breaker. */
  mirror: z
    .object({
      started: z.number().int(),
      capped: z.number().int(),
      skippedByBreaker: z.number().int(),
      /** Copies not made, or dropped, because the request body was past 1 MiB. */
      droppedCopies: z.number().int().optional(),
      /** service/version of each mirrored origin this isolate has stopped copying to for now. */
      breakersOpen: z.array(z.string()),
      droppedOutcomes: z.number().int(),
    })
    .optional(),
});

export const ErrorEnvelope = z.object({
  error: z.object({
    code: ErrorCode,
    message: z.string(),
    problems: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  }),
});

export type ApplyBody = z.infer<typeof ApplyBody>;
export type FileApplyBody = z.infer<typeof FileApplyBody>;
export type RolloutStartBody = z.infer<typeof RolloutStartBody>;
export type IsolateCounters = z.infer<typeof IsolateCounters>;
export type ExplainBody = z.infer<typeof ExplainBody>;
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

// Response schemas live in api-responses.ts and history.ts; re-exported for importers of this file.
export {
  ChangeResult,
  ExplainResult,
  ServiceRecord,
} from "./api-responses.ts";
export { ErrorCode } from "./error-code.ts";
export { HistoryEntry } from "./history.ts";
