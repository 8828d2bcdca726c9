// The admin API (hono) under /_keystone/: bearer auth, schema-checked bodies, one error envelope.
import { bodyLimit } from "hono/body-limit";
import { Hono } from "hono/tiny";
import { IsolateCounters, MAX_BODY_BYTES } from "../../schemas/api.ts";
import { Health, ValidateResult } from "../../schemas/api-responses.ts";
import { ConfigFile } from "../../schemas/config-file.ts";
import { problemsOf } from "../../schemas/problems.ts";
import type { Env } from "../env.ts";
import { statusPage } from "../ui/app.tsx";
import { bearerToken, failedAdminAuth, requireScope, scopeOf } from "./auth.ts";
import { deployHookRoutes } from "./deploy-hook.ts";
import { ApiError } from "./errors.ts";
import { explainRoutes } from "./explain.ts";
import { incidentRoutes } from "./incident-routes.ts";
import { judgingRoutes } from "./judging-routes.ts";
import { renderMetrics } from "./metrics/render.ts";
import { readMetricsSnapshot } from "./metrics/snapshot.ts";
import { openApiDocument } from "./openapi.ts";
import { releaseRoutes } from "./release-routes.ts";
import { respond } from "./respond.ts";
import { rolloutRoutes } from "./rollout-routes.ts";
import { serviceRoutes } from "./services-routes.ts";
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

export function createAdminApi(isolate: () => IsolateCounters | undefined = () => undefined) {
  const app = new Hono<{ Bindings: Env }>();
  app.use(
    "*",
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new ApiError("too_large", `the request body is larger than ${MAX_BODY_BYTES} bytes`);
      },
    }),
  );
  // Open to uptime checks; which secrets are missing is told to token holders only.
  app.get("/_keystone/health", (c) => {
    const token = bearerToken(c);
    const holder = token !== undefined && scopeOf(c.env, token) !== undefined;
    return respond(c, Health, { ok: true, warnings: holder ? deploymentWarnings(c.env) : [] });
  });
  app.get("/_keystone/v1/openapi.json", (c) => c.json(openApiDocument()));
  app.route("/_keystone/ui", statusPage());

  app.get("/_keystone/metrics", requireScope("read"), async (c) =>
    c.text(renderMetrics(await readMetricsSnapshot(c.env, Date.now())), 200, {
      "content-type": "text/plain; version=0.0.4; charset=utf-8",
    }),
  );

  const v1 = new Hono<{ Bindings: Env }>();
  // This isolate's hot-path counters (each isolate answers for itself).
  v1.get("/isolate", requireScope("read"), (c) =>
    respond(
      c,
      IsolateCounters,
      isolate() ?? { ...IDLE_ISOLATE, failedAdminAuth: failedAdminAuth() },
    ),
  );
  v1.route("/", serviceRoutes());
  v1.route("/", rolloutRoutes());
  v1.route("/", incidentRoutes());
  v1.route("/", releaseRoutes());
  v1.route("/", judgingRoutes());
  v1.route("/", deployHookRoutes());
  v1.route("/", explainRoutes());

  v1.post("/validate", requireScope("read"), async (c) => {
    const parsed = ConfigFile.safeParse(await c.req.json().catch(() => undefined));
    return respond(
      c,
      ValidateResult,
      parsed.success
        ? { valid: true, problems: [] }
        : { valid: false, problems: problemsOf(parsed.error) },
    );
  });

  app.route("/_keystone/v1", v1);
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
