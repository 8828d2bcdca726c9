// The admin API (hono) under /_keystone/: every endpoint declared in schemas/admin-endpoints.ts,
// registered with its bearer scope, its inputs parsed as middleware and its answer checked; the
// status page and the MCP endpoint beside it; one error envelope.
import { Hono } from "hono/tiny";
import { ADMIN_API, type Endpoint } from "../../schemas/admin-endpoints.ts";
import type { IsolateCounters } from "../../schemas/api.ts";
import { ConfigFile } from "../../schemas/config-file.ts";
import { nestedTooDeep, problemsOf } from "../../schemas/problems.ts";
import type { Env } from "../env.ts";
import { statusPage } from "../ui/app.tsx";
import {
  bearerToken,
  failedAdminAuth,
  noteRefusal,
  refusalsExhausted,
  requireScope,
  scopeOf,
} from "./auth.ts";
import { limitBody } from "./body-limit.ts";
import { deployHookHandlers } from "./deploy-hook.ts";
import { type Handlers, route } from "./endpoints.ts";
import { ApiError } from "./errors.ts";
import { explainHandlers } from "./explain.ts";
import { incidentHandlers } from "./incidents.ts";
import { judgingHandlers } from "./judging.ts";
import type { McpEndpoint } from "./mcp/endpoint.ts";
import { renderMetrics } from "./metrics/render.ts";
import { readMetricsSnapshot } from "./metrics/snapshot.ts";
import { openApiDocument } from "./openapi.ts";
import { releaseHandlers } from "./releases.ts";
import { rolloutHandlers } from "./rollouts.ts";
import { serviceHandlers } from "./services.ts";
import { deploymentWarnings } from "./warnings.ts";

/** Counters of an isolate that has served no request yet. */
const IDLE_ISOLATE: IsolateCounters = {
  requestsServed: 0,
  routeTableReads: 0,
  statsFlushCalls: 0,
  droppedOutcomeBatches: 0,
  droppedOutcomes: 0,
  tableGeneration: null,
  haltedVersions: [],
  rejectedEntries: 0,
  rejectedServices: [],
  failedAdminAuth: 0,
};

/** The endpoints about the deployment itself: health, metrics, this isolate, the description. */
function deploymentHandlers(isolate: () => IsolateCounters | undefined) {
  return {
    // Open to uptime checks; which secrets are missing is told to token holders only. A token
    // presented here is checked like any other: a wrong one is counted, and past the address's
    // bound none is checked (the warnings would otherwise tell a right guess from a wrong one).
    health(_, c) {
      const token = bearerToken(c);
      if (token === undefined || refusalsExhausted(c)) return { ok: true, warnings: [] };
      const holder = scopeOf(c.env, token) !== undefined;
      if (!holder) noteRefusal(c, "wrong token at the health endpoint");
      return { ok: true, warnings: holder ? deploymentWarnings(c.env) : [] };
    },
    openApi: () => openApiDocument() as Record<string, unknown>,
    async metrics(_, c) {
      return c.text(renderMetrics(await readMetricsSnapshot(c.env, Date.now())), 200, {
        "content-type": "text/plain; version=0.0.4; charset=utf-8",
      });
    },
    // This isolate's hot-path counters (each isolate answers for itself).
    isolate: () => isolate() ?? { ...IDLE_ISOLATE, failedAdminAuth: failedAdminAuth() },
    // A config's problems are the answer, not a refusal: its body is parsed here.
    async validate(_, c) {
      const json: unknown = await c.req.json().catch(() => undefined);
      const deep = nestedTooDeep(json);
      if (deep) return { valid: false, problems: [deep] };
      const parsed = ConfigFile.safeParse(json);
      return parsed.success
        ? { valid: true, problems: [] }
        : { valid: false, problems: problemsOf(parsed.error) };
    },
  } satisfies Partial<Handlers>;
}

export function createAdminApi(isolate: () => IsolateCounters | undefined = () => undefined) {
  const app = new Hono<{ Bindings: Env }>();
  const handlers: Handlers = {
    ...deploymentHandlers(isolate),
    ...serviceHandlers,
    ...rolloutHandlers,
    ...incidentHandlers,
    ...releaseHandlers,
    ...judgingHandlers,
    ...deployHookHandlers,
    ...explainHandlers,
  };
  for (const endpoint of Object.values(ADMIN_API) as Endpoint[])
    route(app, endpoint, handlers[endpoint.name]);
  app.route("/_keystone/ui", statusPage());
  // Agents: the same endpoints as MCP tools (docs/mcp.md). Its SDK loads on the first MCP call.
  let mcp: Promise<McpEndpoint> | undefined;
  app.all("/_keystone/mcp", requireScope("read"), limitBody(), async (c) => {
    mcp ??= import("./mcp/endpoint.ts").then(({ McpEndpoint }) => new McpEndpoint(app));
    return (await mcp).answer(c);
  });

  app.notFound((c) => {
    const error = new ApiError(
      "not_found",
      `no admin endpoint ${c.req.method} ${new URL(c.req.url).pathname}`,
    );
    return c.json(error.toEnvelope(), error.status);
  });
  app.onError((err, c) => {
    const error =
      err instanceof ApiError
        ? err
        : new ApiError("internal", "internal error; see the Worker logs");
    if (!(err instanceof ApiError)) console.error("keystone admin API:", err);
    return c.json(error.toEnvelope(), error.status);
  });
  return app;
}
