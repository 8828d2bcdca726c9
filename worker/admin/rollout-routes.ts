// Admin endpoints for rollouts: status, start, promote, pause, resume, abort.
import { Hono } from "hono/tiny";
import { RolloutActionBody, RolloutStartBody } from "../../schemas/api.ts";
import { RolloutStateWire, RolloutStatus } from "../../schemas/api-responses.ts";
import { serviceObjectOf } from "../contracts.ts";
import type { Env } from "../env.ts";
import { requireScope } from "./auth.ts";
import { readBody } from "./body.ts";
import { unwrap } from "./errors.ts";
import { respond } from "./respond.ts";
import { serviceToRead } from "./service-record.ts";

type App = Hono<{ Bindings: Env }>;

export const ROLLOUT_ACTIONS = ["promote", "pause", "resume", "abort"] as const;

export function rolloutRoutes(): App {
  const app: App = new Hono();

  app.get("/services/:name/rollout", requireScope("read"), async (c) => {
    const name = c.req.param("name");
    const status = await (await serviceToRead(c.env, name)).rolloutStatus(name);
    return respond(c, RolloutStatus, unwrap(RolloutStatus, status, `service "${name}"`));
  });

  app.post("/services/:name/rollout/start", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const body = await readBody(c, RolloutStartBody);
    const result = await serviceObjectOf(c.env, name).execute(name, {
      kind: "rollout.start",
      ...body,
    });
    return respond(c, RolloutStateWire, unwrap(RolloutStateWire, result, `service "${name}"`));
  });

  for (const action of ROLLOUT_ACTIONS) {
    app.post(`/services/:name/rollout/${action}`, requireScope("admin"), async (c) => {
      const name = c.req.param("name");
      const body = await readBody(c, RolloutActionBody);
      const result = await serviceObjectOf(c.env, name).execute(name, {
        kind: `rollout.${action}`,
        ...body,
      });
      return respond(c, RolloutStateWire, unwrap(RolloutStateWire, result, `service "${name}"`));
    });
  }

  return app;
}
