// The admin API described as OpenAPI 3.1: a loop over its declarations
// (schemas/admin-endpoints.ts), each input and answer's JSON Schema generated from the zod schema
// the API checks it with. A test holds it to the app's routes, one for one.
import * as z from "zod";
import { ADMIN_API, type Endpoint, type EndpointScope } from "../../schemas/admin-endpoints.ts";
import { ErrorEnvelope } from "../../schemas/api.ts";

const jsonSchema = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { io, unrepresentable: "any" });

const json = (schema: z.ZodType, io: "input" | "output") => ({
  content: { "application/json": { schema: jsonSchema(schema, io) } },
});

const SECURITY: Record<EndpointScope, object[] | undefined> = {
  read: [{ bearer: ["read"] }],
  admin: [{ bearer: ["admin"] }],
  webhook: [{ deployHook: [] }],
  none: undefined,
};

/** Path parameters (required) or query parameters (each has a default) from their schema. */
function parameters(where: "path" | "query", schema: z.ZodObject | undefined) {
  return Object.entries(schema?.shape ?? {}).map(([name, field]) => ({
    name,
    in: where,
    required: where === "path",
    schema: jsonSchema(field as z.ZodType, "input"),
  }));
}

function operation(endpoint: Endpoint) {
  const security = SECURITY[endpoint.scope];
  const params = "params" in endpoint ? endpoint.params : undefined;
  const query = "query" in endpoint ? endpoint.query : undefined;
  const listed = [...parameters("path", params), ...parameters("query", query)];
  const body = "body" in endpoint ? endpoint.body : undefined;
  return {
    operationId: endpoint.name,
    summary: endpoint.summary,
    ...(security ? { security } : {}),
    ...(listed.length > 0 ? { parameters: listed } : {}),
    ...(body
      ? { requestBody: { required: !("bodyOptional" in endpoint), ...json(body, "input") } }
      : {}),
    responses: {
      "200":
        endpoint.response === "text"
          ? { description: "ok", content: { "text/plain": { schema: { type: "string" } } } }
          : { description: "ok", ...json(endpoint.response, "output") },
      default: { description: "error", ...json(ErrorEnvelope, "output") },
    },
  };
}

let cached: unknown;

export function openApiDocument(): unknown {
  if (cached) return cached;
  const paths: Record<string, Record<string, unknown>> = {};
  for (const endpoint of Object.values(ADMIN_API) as Endpoint[]) {
    paths[endpoint.path] ??= {};
    paths[endpoint.path]![endpoint.method.toLowerCase()] = operation(endpoint);
  }
  cached = {
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
    paths,
  };
  return cached;
}
