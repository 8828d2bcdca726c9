// Admin endpoints for rollouts: status, start, promote, pause, resume, abort.
import { Hono } from "hono";
import { RolloutActionBody, RolloutStartBody } from "../../schemas/api.ts";
import { serviceObjectOf } from "../control-plane/stubs.ts";
import type { Env } from "../env.ts";
import { requireScope } from "./auth.ts";
import { readBody } from "./body.ts";
import { unwrap } from "./errors.ts";

type App = Hono<{ Bindings: Env }>;

export function rolloutRoutes(): App {
  const app: App = new Hono();

  app.get("/services/:name/rollout", requireScope("read"), async (c) => {
    const name = c.req.param("name");
    return c.json(unwrap(await serviceObjectOf(c.env, name).rolloutStatus(name)));
  });

  app.post("/services/:name/rollout/start", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const body = await readBody(c, RolloutStartBody);
    return c.json(unwrap(await serviceObjectOf(c.env, name).startRollout(name, body, body)));
  });

  for (const action of ["promote", "pause", "resume", "abort"] as const) {
    app.post(`/services/:name/rollout/${action}`, requireScope("admin"), async (c) => {
      const name = c.req.param("name");
      const body = await readBody(c, RolloutActionBody);
      const stub = serviceObjectOf(c.env, name);
      const result =
        action === "promote"
          ? await stub.promoteRollout(name, body.full === true, body)
          : action === "pause"
            ? await stub.pauseRollout(name, body)
            : action === "resume"
              ? await stub.resumeRollout(name, body)
              : await stub.abortRollout(name, body);
      return c.json(unwrap(result));
    });
  }

  return app;
}
