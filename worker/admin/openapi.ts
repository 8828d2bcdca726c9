// The admin API described as OpenAPI 3.1, generated from the same zod schemas the API parses its
// bodies and checks its responses with. A test holds it to the app's routes, one for one.
import * as z from "zod";
import {
  ApplyBody,
  DeleteBody,
  DeployHookRequest,
  ErrorEnvelope,
  ExplainBody,
  FileApplyBody,
  IsolateCounters,
  OverrideTokenBody,
  ReleaseAbortBody,
  ReleaseStartBody,
  RevertBody,
  RolloutActionBody,
  RolloutStartBody,
  WeightsBody,
} from "../../schemas/api.ts";
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
} from "../../schemas/api-responses.ts";
import { FilePreview } from "../../schemas/apply-plan.ts";
import { ConfigFile } from "../../schemas/config-file.ts";
import { HistoryResponse } from "../../schemas/history.ts";
import { MirrorReport, MirrorReportQuery } from "../../schemas/mirror.ts";
import { RolloutVerdicts, VerdictsQuery } from "../../schemas/verdict-log.ts";

const json = (schema: z.ZodType, io: "input" | "output") => ({
  content: {
    "application/json": { schema: z.toJSONSchema(schema, { io, unrepresentable: "any" }) },
  },
});

type Auth = "read" | "admin" | "none" | "webhook";
type Result = z.ZodType | "text";

function operation(summary: string, auth: Auth, body: z.ZodType | undefined, result: Result) {
  return {
    summary,
    ...(auth === "read" || auth === "admin" ? { security: [{ bearer: [auth] }] } : {}),
    ...(auth === "webhook" ? { security: [{ deployHook: [] }] } : {}),
    ...(body ? { requestBody: { required: true, ...json(body, "input") } } : {}),
    responses: {
      "200":
        result === "text"
          ? { description: "ok", content: { "text/plain": { schema: { type: "string" } } } }
          : { description: "ok", ...json(result, "output") },
      default: { description: "error", ...json(ErrorEnvelope, "output") },
    },
  };
}

/** Query parameters from a schema of optional fields (their JSON Schema, as the API parses them). */
function queryParameters(schema: z.ZodObject) {
  return Object.entries(schema.shape).map(([name, field]) => ({
    name,
    in: "query",
    required: false,
    schema: z.toJSONSchema(field as z.ZodType, { io: "input", unrepresentable: "any" }),
  }));
}

const V1 = "/_keystone/v1";
const SERVICE = `${V1}/services/{name}`;
const rolloutAction = (verb: string) =>
  operation(`Rollout: ${verb}`, "admin", RolloutActionBody, RolloutStateWire);

let cached: unknown;

export function openApiDocument(): unknown {
  cached ??= {
    openapi: "3.1.0",
    info: { title: "Keystone Edge admin API", version: "1" },
    components: {
      securitySchemes: {
        bearer: { type: "http", scheme: "bearer" },
        deployHook: {
          type: "apiKey",
          in: "header",
          name: "x-keystone-signature",
          description:
            'sha256=<HMAC-SHA256(DEPLOY_WEBHOOK_SECRET, "<x-keystone-timestamp>.<body>")>',
        },
      },
    },
    paths: {
      "/_keystone/health": {
        get: operation("Liveness, and warnings about missing secrets", "none", undefined, Health),
      },
      "/_keystone/metrics": { get: operation("Prometheus metrics", "read", undefined, "text") },
      [`${V1}/openapi.json`]: {
        get: operation("This document", "none", undefined, z.record(z.string(), z.unknown())),
      },
      [`${V1}/isolate`]: {
        get: operation("This isolate's hot-path counters", "read", undefined, IsolateCounters),
      },
      [`${V1}/services`]: { get: operation("List services", "read", undefined, ServiceList) },
      [`${V1}/apply`]: {
        post: operation(
          "Apply a file's services together (host moves and swaps land all or nothing; new releases converge under each policy)",
          "admin",
          FileApplyBody,
          FileApplyResult,
        ),
      },
      [`${V1}/plan`]: {
        post: operation(
          "What applying a file would do to each service, in words; nothing stored",
          "read",
          FileApplyBody,
          FilePreview,
        ),
      },
      [SERVICE]: {
        get: operation("Read a service's config of record", "read", undefined, ServiceRecord),
        put: operation("Apply a service's config (new revision)", "admin", ApplyBody, ChangeResult),
        delete: operation(
          "Delete a service (recorded; applying it again creates it anew)",
          "admin",
          DeleteBody,
          ChangeResult,
        ),
      },
      [`${SERVICE}/weights`]: {
        post: operation("Change the split", "admin", WeightsBody, ChangeResult),
      },
      [`${SERVICE}/revert`]: {
        post: operation("Revert to an earlier revision", "admin", RevertBody, ChangeResult),
      },
      [`${SERVICE}/history`]: {
        get: operation("Revisions and events", "read", undefined, HistoryResponse),
      },
      [`${SERVICE}/override-tokens`]: {
        post: operation("Mint a signed override token", "admin", OverrideTokenBody, OverrideToken),
      },
      [`${SERVICE}/rollout`]: {
        get: operation(
          "Rollout status: state, weights, per-track releases, figures, halt",
          "read",
          undefined,
          RolloutStatus,
        ),
      },
      [`${SERVICE}/incidents`]: {
        get: operation(
          "Incidents (rolled-back and aborted rollouts), newest first",
          "read",
          undefined,
          IncidentList,
        ),
      },
      [`${SERVICE}/incidents/{id}`]: {
        get: operation(
          "One incident: timeline, failed checks with their numbers, the candidate's last request",
          "read",
          undefined,
          IncidentResponse,
        ),
      },
      [`${SERVICE}/rollout/verdicts`]: {
        get: {
          ...operation(
            "The latest rollout's last verdicts, each with its judgement (rollout explain)",
            "read",
            undefined,
            RolloutVerdicts,
          ),
          parameters: queryParameters(VerdictsQuery),
        },
      },
      [`${SERVICE}/mirror`]: {
        get: {
          ...operation(
            "Shadow traffic: comparisons, busiest paths, sample diffs (mirror report)",
            "read",
            undefined,
            MirrorReport,
          ),
          parameters: queryParameters(MirrorReportQuery),
        },
      },
      [`${SERVICE}/rollout/start`]: {
        post: operation("Start a rollout", "admin", RolloutStartBody, RolloutStateWire),
      },
      [`${SERVICE}/rollout/promote`]: { post: rolloutAction("promote (past a gate; full: now)") },
      [`${SERVICE}/rollout/pause`]: { post: rolloutAction("pause") },
      [`${SERVICE}/rollout/resume`]: { post: rolloutAction("resume") },
      [`${SERVICE}/rollout/abort`]: { post: rolloutAction("abort") },
      [`${V1}/releases`]: {
        post: operation(
          "Start a release: several services, start conditions, one verdict",
          "admin",
          ReleaseStartBody,
          ReleaseStatus,
        ),
      },
      [`${V1}/releases/{name}`]: {
        get: operation(
          "Release status: phase, each service's standing, this run's history",
          "read",
          undefined,
          ReleaseStatus,
        ),
      },
      [`${V1}/releases/{name}/abort`]: {
        post: operation(
          "Abort a release: every service it started is aborted",
          "admin",
          ReleaseAbortBody,
          ReleaseStatus,
        ),
      },
      [`${V1}/hooks/deploy`]: {
        post: operation(
          "CI deploy webhook: set a service's release (or start a rollout), or start a release from a release file's content (HMAC-signed)",
          "webhook",
          DeployHookRequest,
          DeployHookResult,
        ),
      },
      [`${V1}/explain`]: {
        post: operation("Explain a routing decision", "read", ExplainBody, ExplainResult),
      },
      [`${V1}/validate`]: {
        post: operation("Validate a config file", "read", ConfigFile, ValidateResult),
      },
    },
  };
  return cached;
}
