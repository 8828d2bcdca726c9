// Admin endpoints for releases: start one from a release file, read its status, abort it.
import { Hono } from "hono/tiny";
import { ReleaseAbortBody, ReleaseStartBody } from "../../schemas/api.ts";
import { ReleaseStatus } from "../../schemas/api-responses.ts";
import type { ReleaseFile } from "../../schemas/release-file.ts";
import { releaseObjectOf } from "../contracts.ts";
import type { Env } from "../env.ts";
import { requireScope } from "./auth.ts";
import { readBody } from "./body.ts";
import { unwrap } from "./errors.ts";
import { respond } from "./respond.ts";

type App = Hono<{ Bindings: Env }>;

/** Starts a release (the API and the deploy webhook); the answer is its status after the start. */
export async function startReleaseOf(
  env: Env,
  file: ReleaseFile,
  who: { author?: string | undefined; reason?: string | undefined },
): Promise<ReleaseStatus> {
  const result = await releaseObjectOf(env, file.name).start(file.name, file, who);
  return unwrap(ReleaseStatus, result, `release "${file.name}"`);
}

export function releaseRoutes(): App {
  const app: App = new Hono();

  app.post("/releases", requireScope("admin"), async (c) => {
    const { file, ...who } = await readBody(c, ReleaseStartBody);
    return respond(c, ReleaseStatus, await startReleaseOf(c.env, file, who));
  });

  app.get("/releases/:name", requireScope("read"), async (c) => {
    const name = c.req.param("name");
    const status = await releaseObjectOf(c.env, name).status(name);
    return respond(c, ReleaseStatus, unwrap(ReleaseStatus, status, `release "${name}"`));
  });

  app.post("/releases/:name/abort", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const who = await readBody(c, ReleaseAbortBody);
    const result = await releaseObjectOf(c.env, name).abort(name, who);
    return respond(c, ReleaseStatus, unwrap(ReleaseStatus, result, `release "${name}"`));
  });

  return app;
}
