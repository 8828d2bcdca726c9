// The admin API described as OpenAPI 3.1, generated from the same zod schemas the API parses with.
import * as z from "zod";
import {
  ApplyBody,
  ChangeResult,
  DeleteBody,
  ErrorEnvelope,
  ExplainBody,
  ExplainResult,
  HistoryEntry,
  OverrideTokenBody,
  RevertBody,
  ServiceRecord,
  WeightsBody,
} from "../../schemas/api.ts";
import { ConfigFile } from "../../schemas/config-file.ts";

const json = (schema: z.ZodType, io: "input" | "output") => ({
  content: {
    "application/json": { schema: z.toJSONSchema(schema, { io, unrepresentable: "any" }) },
  },
});

function operation(
  summary: string,
  scope: "read" | "admin",
  body: z.ZodType | undefined,
  result: z.ZodType,
) {
  return {
    summary,
    security: [{ bearer: [scope] }],
    ...(body ? { requestBody: { required: true, ...json(body, "input") } } : {}),
    responses: {
      "200": { description: "ok", ...json(result, "output") },
      default: { description: "error", ...json(ErrorEnvelope, "output") },
    },
  };
}

let cached: unknown;

export function openApiDocument(): unknown {
  cached ??= {
    openapi: "3.1.0",
    info: { title: "Keystone Edge admin API", version: "1" },
    components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
    paths: {
      "/_keystone/v1/services": {
        get: operation(
          "List services",
          "read",
          undefined,
          z.object({ services: z.array(ServiceRecord) }),
        ),
      },
      "/_keystone/v1/services/{name}": {
        get: operation("Read a service's config of record", "read", undefined, ServiceRecord),
        put: operation("Apply a service's config (new revision)", "admin", ApplyBody, ChangeResult),
        delete: operation("Delete a service (recorded)", "admin", DeleteBody, ChangeResult),
      },
      "/_keystone/v1/services/{name}/weights": {
        post: operation("Change the split", "admin", WeightsBody, ChangeResult),
      },
      "/_keystone/v1/services/{name}/revert": {
        post: operation("Revert to an earlier revision", "admin", RevertBody, ChangeResult),
      },
      "/_keystone/v1/services/{name}/history": {
        get: operation(
          "Revisions and events",
          "read",
          undefined,
          z.object({ name: z.string(), history: z.array(HistoryEntry) }),
        ),
      },
      "/_keystone/v1/services/{name}/override-tokens": {
        post: operation(
          "Mint a signed override token",
          "admin",
          OverrideTokenBody,
          z.object({ token: z.string(), expiresAt: z.string() }),
        ),
      },
      "/_keystone/v1/explain": {
        post: operation("Explain a routing decision", "read", ExplainBody, ExplainResult),
      },
      "/_keystone/v1/validate": {
        post: operation(
          "Validate a config file",
          "read",
          ConfigFile,
          z.object({
            valid: z.boolean(),
            problems: z.array(z.object({ path: z.string(), message: z.string() })),
          }),
        ),
      },
    },
  };
  return cached;
}
