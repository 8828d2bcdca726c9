// Admin endpoints for services: read, apply, weights, revert, delete, history, override tokens.
import { Hono } from "hono";
import {
  ApplyBody,
  DeleteBody,
  OverrideTokenBody,
  RevertBody,
  WeightsBody,
} from "../../schemas/api.ts";
import { parseDuration } from "../../schemas/duration.ts";
import { hostConflicts } from "../control-plane/changes.ts";
import { registryOf, serviceObjectOf } from "../control-plane/stubs.ts";
import { signOverride } from "../core/override.ts";
import type { Env } from "../env.ts";
import { requireScope } from "./auth.ts";
import { readBody } from "./body.ts";
import { ApiError, unwrap } from "./errors.ts";

type App = Hono<{ Bindings: Env }>;

async function recordOf(env: Env, name: string) {
  const record = await serviceObjectOf(env, name).record();
  if (!record) throw new ApiError("not_found", `service "${name}" does not exist`);
  return record;
}

export function serviceRoutes(): App {
  const app: App = new Hono();

  app.get("/services", requireScope("read"), async (c) => {
    const entries = await registryOf(c.env).list();
    const records = await Promise.all(entries.map((e) => serviceObjectOf(c.env, e.name).record()));
    return c.json({ services: records.filter((r) => r !== null) });
  });

  app.get("/services/:name", requireScope("read"), async (c) =>
    c.json(await recordOf(c.env, c.req.param("name"))),
  );

  app.put("/services/:name", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const body = await readBody(c, ApplyBody);
    if (body.config.name !== name) {
      throw new ApiError(
        "invalid",
        `the URL names service "${name}" but the config is "${body.config.name}"`,
        [{ path: "config.name", message: `must be "${name}"` }],
      );
    }
    const others = (await registryOf(c.env).list()).map((e) => e.config);
    const conflicts = hostConflicts(body.config, others);
    if (conflicts.length) throw new ApiError("invalid", "hosts already in use", conflicts);
    return c.json(unwrap(await serviceObjectOf(c.env, name).apply(body.config, body)));
  });

  app.post("/services/:name/weights", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const body = await readBody(c, WeightsBody);
    return c.json(unwrap(await serviceObjectOf(c.env, name).setWeights(name, body.split, body)));
  });

  app.post("/services/:name/revert", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const body = await readBody(c, RevertBody);
    return c.json(unwrap(await serviceObjectOf(c.env, name).revert(name, body.to, body)));
  });

  app.delete("/services/:name", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const body =
      c.req.header("content-length") === "0" || !c.req.header("content-type")
        ? {}
        : await readBody(c, DeleteBody);
    return c.json(unwrap(await serviceObjectOf(c.env, name).remove(name, body)));
  });

  app.get("/services/:name/history", requireScope("read"), async (c) => {
    const name = c.req.param("name");
    const events = await serviceObjectOf(c.env, name).history();
    if (events.length === 0) throw new ApiError("not_found", `service "${name}" has no history`);
    const history = events.map((e) => ({
      ...e,
      detail: e.detail === null ? null : (JSON.parse(e.detail) as object),
    }));
    return c.json({ name, history });
  });

  app.post("/services/:name/override-tokens", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const body = await readBody(c, OverrideTokenBody);
    const record = await recordOf(c.env, name);
    if (!(body.version in record.config.versions)) {
      throw new ApiError("invalid", `service "${name}" has no version "${body.version}"`, [
        { path: "version", message: `one of ${Object.keys(record.config.versions).join(", ")}` },
      ]);
    }
    if (!c.env.OVERRIDE_SECRET) {
      throw new ApiError("unavailable", "override tokens are off: set the OVERRIDE_SECRET secret");
    }
    const expiresAt = Date.now() + parseDuration(body.ttl)!;
    const token = signOverride(c.env.OVERRIDE_SECRET, {
      service: name,
      version: body.version,
      expiresAt,
    });
    return c.json({
      token,
      service: name,
      version: body.version,
      expiresAt: new Date(expiresAt).toISOString(),
    });
  });

  return app;
}
