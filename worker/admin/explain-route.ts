// POST /_keystone/v1/explain: the service a request names (or its host finds), explained as the
// isolates would route it now: the effective config (a rollout's weights applied), the published
// pin scope and wave, and any fast-abort halt.
import { Hono } from "hono/tiny";
import { ExplainBody } from "../../schemas/api.ts";
import { ExplainResult, ServiceRecord } from "../../schemas/api-responses.ts";
import { RolloutState } from "../../schemas/rollout-state.ts";
import { knownServiceObjectOf } from "../contracts.ts";
import { compileRouteTable, findService } from "../core/compile.ts";
import { bucketKeyOf } from "../core/hash.ts";
import { liveRoutingOf } from "../core/ledger/live-routing.ts";
import { effectiveConfig } from "../core/rollout/effective.ts";
import type { Env } from "../env.ts";
import { requireScope } from "./auth.ts";
import { readBody } from "./body.ts";
import { ApiError, parseRpc } from "./errors.ts";
import { explainRequest } from "./explain.ts";
import { explainWithHalt } from "./explain-halt.ts";
import { liveServices } from "./live-services.ts";
import { respond } from "./respond.ts";

/** The service's name: given, or the one serving the request's host and path. */
async function serviceNamed(env: Env, body: ExplainBody): Promise<string | undefined> {
  if (body.service) return body.service;
  const host = body.request.host;
  if (!host)
    throw new ApiError("invalid", "name a service or a request host", [
      { path: "request.host", message: "required without service" },
    ]);
  const table = compileRouteTable((await liveServices(env)).map((e) => e.config));
  return findService(table, host.toLowerCase().replace(/:\d+$/, ""), body.request.path ?? "/")
    ?.name;
}

export function explainRoutes() {
  const app = new Hono<{ Bindings: Env }>();
  app.post("/explain", requireScope("read"), async (c) => {
    const body = await readBody(c, ExplainBody);
    const name = await serviceNamed(c.env, body);
    const object = name ? await knownServiceObjectOf(c.env, name) : undefined;
    const record =
      name && object
        ? parseRpc(ServiceRecord.nullable(), await object.record(name), `service "${name}"`)
        : null;
    if (!record || !object)
      throw new ApiError(
        "not_found",
        `no service ${body.service ? `named "${body.service}"` : `serves ${body.request.host}`}`,
      );
    const rollout = parseRpc(
      RolloutState.nullable(),
      await object.rolloutState(),
      `the rollout of "${record.name}"`,
    );
    const config = effectiveConfig(record.config, rollout);
    const result = explainRequest(config, body.request, Date.now(), c.env.OVERRIDE_SECRET, {
      live: liveRoutingOf(record.config, rollout),
      affinitySecret: c.env.AFFINITY_SECRET,
      bucketKey: bucketKeyOf(c.env.BUCKET_SECRET),
    });
    return respond(c, ExplainResult, await explainWithHalt(c.env, config, result));
  });
  return app;
}
