// The admin API declared once: each endpoint's name, method, path, scope, inputs (path parameters,
// query, body) and answer as zod schemas, with a one-line summary. The Worker registers its
// handlers from these (inputs checked as middleware, answers against their schema), the OpenAPI
// document is a loop over them, and the CLI calls endpoints by name: what a tool over the API
// needs (name, summary, input schemas, scope) is here too.
import * as z from "zod";
import {
  ApplyBody,
  DeleteBody,
  DeployHookRequest,
  ExplainBody,
  FileApplyBody,
  IsolateCounters,
  OverrideTokenBody,
  ReleaseAbortBody,
  ReleaseStartBody,
  RevertBody,
  RolloutActionBody,
  RolloutPromoteBody,
  RolloutStartBody,
  ServiceListQuery,
  WeightsBody,
} from "./api.ts";
import {
  ChangeResult,
  DeployHookResult,
  ExplainResult,
  FileApplyResult,
  Health,
  IncidentList,
  IncidentResponse,
  OverrideToken,
  ReleaseStatus,
  RolloutStateWire,
  RolloutStatus,
  ServiceList,
  ServiceRecord,
  ValidateResult,
} from "./api-responses.ts";
import { FilePreview } from "./apply-plan.ts";
import { ConfigFile } from "./config-file.ts";
import { HistoryQuery, HistoryResponse } from "./history.ts";
import { AnalysisTest } from "./metric-check.ts";
import { MirrorReport, MirrorReportQuery } from "./mirror.ts";
import { RolloutVerdicts, VerdictsQuery } from "./verdict-log.ts";

/**
 * Who may call an endpoint: a bearer token granting `read` (the read or the admin token) or
 * `admin` (the admin token only); `none`, anyone (uptime checks, the API's description);
 * `webhook`, a request signed with DEPLOY_WEBHOOK_SECRET.
 */
export type EndpointScope = "read" | "admin" | "none" | "webhook";

export interface EndpointSpec {
  method: "GET" | "POST" | "PUT" | "DELETE";
  /** From the Worker's origin, each path parameter in braces: /_keystone/v1/services/{name}. */
  path: string;
  scope: EndpointScope;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  /** The body may be left out (an empty object is taken). */
  bodyOptional?: true;
  /** The handler reads the body itself: a config whose problems are the answer, a signed payload. */
  rawBody?: true;
  /** The answer's schema; "text" for an answer that is not JSON (Prometheus metrics). */
  response: z.ZodType | "text";
}

/** The declarations, each with its name: the key it is declared under. */
function withNames<const S extends Record<string, EndpointSpec>>(
  specs: S,
): { [N in keyof S]: S[N] & { name: N } } {
  return Object.fromEntries(
    Object.entries(specs).map(([name, spec]) => [name, { ...spec, name }]),
  ) as { [N in keyof S]: S[N] & { name: N } };
}

const V1 = "/_keystone/v1";
const SERVICE = `${V1}/services/{name}`;
const ServiceParams = z.object({ name: z.string().describe("service name") });
const ReleaseParams = z.object({ name: z.string().describe("release name") });

const rolloutAction = <Body extends z.ZodType>(
  verb: "promote" | "pause" | "resume" | "abort",
  summary: string,
  body: Body,
) =>
  ({
    method: "POST",
    path: `${SERVICE}/rollout/${verb}`,
    scope: "admin",
    summary: `Rollout: ${summary}`,
    params: ServiceParams,
    body,
    response: RolloutStateWire,
  }) as const;

export const ADMIN_API = withNames({
  health: {
    method: "GET",
    path: "/_keystone/health",
    scope: "none",
    summary: "Liveness, and warnings about missing secrets",
    response: Health,
  },
  metrics: {
    method: "GET",
    path: "/_keystone/metrics",
    scope: "read",
    summary: "Prometheus metrics",
    response: "text",
  },
  openApi: {
    method: "GET",
    path: `${V1}/openapi.json`,
    scope: "none",
    summary: "This document",
    response: z.record(z.string(), z.unknown()),
  },
  isolate: {
    method: "GET",
    path: `${V1}/isolate`,
    scope: "read",
    summary: "This isolate's hot-path counters",
    response: IsolateCounters,
  },
  listServices: {
    method: "GET",
    path: `${V1}/services`,
    scope: "read",
    summary: "List services",
    query: ServiceListQuery,
    response: ServiceList,
  },
  applyFile: {
    method: "POST",
    path: `${V1}/apply`,
    scope: "admin",
    summary:
      "Apply a file's services together (host moves and swaps land all or nothing; new releases converge under each policy)",
    body: FileApplyBody,
    response: FileApplyResult,
  },
  planFile: {
    method: "POST",
    path: `${V1}/plan`,
    scope: "read",
    summary: "What applying a file would do to each service, in words; nothing stored",
    body: FileApplyBody,
    response: FilePreview,
  },
  getService: {
    method: "GET",
    path: SERVICE,
    scope: "read",
    summary: "Read a service's config of record",
    params: ServiceParams,
    response: ServiceRecord,
  },
  applyService: {
    method: "PUT",
    path: SERVICE,
    scope: "admin",
    summary: "Apply a service's config (new revision)",
    params: ServiceParams,
    body: ApplyBody,
    response: ChangeResult,
  },
  deleteService: {
    method: "DELETE",
    path: SERVICE,
    scope: "admin",
    summary: "Delete a service (recorded; applying it again creates it anew)",
    params: ServiceParams,
    body: DeleteBody,
    bodyOptional: true,
    response: ChangeResult,
  },
  setWeights: {
    method: "POST",
    path: `${SERVICE}/weights`,
    scope: "admin",
    summary: "Change the split",
    params: ServiceParams,
    body: WeightsBody,
    response: ChangeResult,
  },
  revertService: {
    method: "POST",
    path: `${SERVICE}/revert`,
    scope: "admin",
    summary: "Revert to an earlier revision",
    params: ServiceParams,
    body: RevertBody,
    response: ChangeResult,
  },
  serviceHistory: {
    method: "GET",
    path: `${SERVICE}/history`,
    scope: "read",
    summary: "Revisions and events",
    params: ServiceParams,
    query: HistoryQuery,
    response: HistoryResponse,
  },
  mintOverrideToken: {
    method: "POST",
    path: `${SERVICE}/override-tokens`,
    scope: "admin",
    summary: "Mint a signed override token",
    params: ServiceParams,
    body: OverrideTokenBody,
    response: OverrideToken,
  },
  rolloutStatus: {
    method: "GET",
    path: `${SERVICE}/rollout`,
    scope: "read",
    summary: "Rollout status: state, weights, per-track releases, figures, halt, next tick",
    params: ServiceParams,
    response: RolloutStatus,
  },
  listIncidents: {
    method: "GET",
    path: `${SERVICE}/incidents`,
    scope: "read",
    summary: "Incidents (rolled-back and aborted rollouts), newest first",
    params: ServiceParams,
    response: IncidentList,
  },
  getIncident: {
    method: "GET",
    path: `${SERVICE}/incidents/{id}`,
    scope: "read",
    summary:
      "One incident: timeline, failed checks with their numbers, the candidate's last request",
    params: ServiceParams.extend({ id: z.string().describe("incident id") }),
    response: IncidentResponse,
  },
  analysisTest: {
    method: "GET",
    path: `${SERVICE}/analysis/test`,
    scope: "read",
    summary:
      "Runs the rollout's metric queries now against their providers and answers the values; acts on nothing (analysis test)",
    params: ServiceParams,
    response: AnalysisTest,
  },
  rolloutVerdicts: {
    method: "GET",
    path: `${SERVICE}/rollout/verdicts`,
    scope: "read",
    summary: "The latest rollout's last verdicts, each with its judgement (rollout explain)",
    params: ServiceParams,
    query: VerdictsQuery,
    response: RolloutVerdicts,
  },
  mirrorReport: {
    method: "GET",
    path: `${SERVICE}/mirror`,
    scope: "read",
    summary: "Shadow traffic: comparisons, busiest paths, sample diffs (mirror report)",
    params: ServiceParams,
    query: MirrorReportQuery,
    response: MirrorReport,
  },
  startRollout: {
    method: "POST",
    path: `${SERVICE}/rollout/start`,
    scope: "admin",
    summary: "Start a rollout",
    params: ServiceParams,
    body: RolloutStartBody,
    response: RolloutStateWire,
  },
  promoteRollout: rolloutAction("promote", "promote (past a gate; full: now)", RolloutPromoteBody),
  pauseRollout: rolloutAction("pause", "pause", RolloutActionBody),
  resumeRollout: rolloutAction("resume", "resume", RolloutActionBody),
  abortRollout: rolloutAction("abort", "abort", RolloutActionBody),
  startRelease: {
    method: "POST",
    path: `${V1}/releases`,
    scope: "admin",
    summary: "Start a release: several services, start conditions, one verdict",
    body: ReleaseStartBody,
    response: ReleaseStatus,
  },
  releaseStatus: {
    method: "GET",
    path: `${V1}/releases/{name}`,
    scope: "read",
    summary: "Release status: phase, each service's standing, this run's history",
    params: ReleaseParams,
    response: ReleaseStatus,
  },
  abortRelease: {
    method: "POST",
    path: `${V1}/releases/{name}/abort`,
    scope: "admin",
    summary: "Abort a release: every service it started is aborted",
    params: ReleaseParams,
    body: ReleaseAbortBody,
    response: ReleaseStatus,
  },
  deployHook: {
    method: "POST",
    path: `${V1}/hooks/deploy`,
    scope: "webhook",
    summary:
      "CI deploy webhook: set a service's release (or start a rollout), or start a release from a release file's content (HMAC-signed)",
    body: DeployHookRequest,
    rawBody: true,
    response: DeployHookResult,
  },
  explain: {
    method: "POST",
    path: `${V1}/explain`,
    scope: "read",
    summary: "Explain a routing decision",
    body: ExplainBody,
    response: ExplainResult,
  },
  validate: {
    method: "POST",
    path: `${V1}/validate`,
    scope: "read",
    summary: "Validate a config file",
    body: ConfigFile,
    rawBody: true,
    response: ValidateResult,
  },
});

export type AdminApi = typeof ADMIN_API;
export type EndpointName = keyof AdminApi;
export type Endpoint = AdminApi[EndpointName];

type Parsed<S, Io extends "input" | "output"> = S extends z.ZodType
  ? Io extends "input"
    ? z.input<S>
    : z.output<S>
  : never;

/**
 * What a call of the endpoint carries, as the caller gives it (`input`) or as the Worker has it
 * after its checks (`output`): path parameters, query, and the body the endpoint parses.
 */
export type EndpointInput<E, Io extends "input" | "output"> = (E extends { params: infer P }
  ? { params: Parsed<P, Io> }
  : unknown) &
  (E extends { query: infer Q } ? { query: Parsed<Q, Io> } : unknown) &
  (E extends { rawBody: true }
    ? unknown
    : E extends { body: infer B }
      ? E extends { bodyOptional: true }
        ? { body?: Parsed<B, Io> }
        : { body: Parsed<B, Io> }
      : unknown);

/** What the endpoint answers, as parsed by its response schema. */
export type EndpointAnswer<E> = E extends { response: infer R extends z.ZodType }
  ? z.output<R>
  : string;
