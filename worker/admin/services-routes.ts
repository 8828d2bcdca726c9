// Admin endpoints for services: read, apply (one service or a whole file), weights, revert,
// delete, history, override tokens.
import { Hono } from "hono/tiny";
import {
  ApplyBody,
  DeleteBody,
  FileApplyBody,
  OverrideTokenBody,
  RevertBody,
  WeightsBody,
} from "../../schemas/api.ts";
import {
  ChangeResult,
  FileApplyResult,
  OverrideToken,
  ServiceList,
  ServiceRecord,
} from "../../schemas/api-responses.ts";
import { FilePreview } from "../../schemas/apply-plan.ts";
import { parseDuration } from "../../schemas/duration.ts";
import { HistoryResponse } from "../../schemas/history.ts";
import type { ServiceSpec } from "../../schemas/service-spec.ts";
import { suggestion } from "../../schemas/suggest.ts";
import { serviceObjectOf } from "../control-plane/stubs.ts";
import { configFor } from "../core/config-readers.ts";
import { signOverride } from "../core/override.ts";
import type { Env } from "../env.ts";
import { callerScope, requireScope } from "./auth.ts";
import { readBody } from "./body.ts";
import { applyClaimingChanges } from "./claiming-changes.ts";
import { ApiError, parseRpc, unwrap } from "./errors.ts";
import { applyFile, previewFile } from "./file-apply.ts";
import { respond } from "./respond.ts";
import { liveServices, recordOf, serviceToRead } from "./service-record.ts";
import { deploymentWarnings } from "./warnings.ts";

type App = Hono<{ Bindings: Env }>;

export function serviceRoutes(): App {
  const app: App = new Hono();

  app.get("/services", requireScope("read"), async (c) => {
    const records = await Promise.all(
      (await liveServices(c.env)).map(async ({ name }) =>
        parseRpc(ServiceRecord.nullable(), await serviceObjectOf(c.env, name).record(name), name),
      ),
    );
    const scope = callerScope(c);
    return respond(c, ServiceList, {
      // A service deleted since the registry answered is left out.
      services: records
        .filter((r) => r !== null)
        .map((r) => ({
          ...r,
          config: configFor(scope, r.config),
          spec: configFor(scope, r.spec),
        })),
      warnings: deploymentWarnings(c.env),
    });
  });

  app.get("/services/:name", requireScope("read"), async (c) => {
    const record = await recordOf(c.env, c.req.param("name"));
    return respond(c, ServiceRecord, {
      ...record,
      config: configFor(callerScope(c), record.config),
      spec: configFor(callerScope(c), record.spec),
      warnings: deploymentWarnings(c.env),
    });
  });

  app.put("/services/:name", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const { config, ...meta } = await readBody(c, ApplyBody);
    if (config.name !== name) {
      throw new ApiError(
        "invalid",
        `the URL names service "${name}" but the config is "${config.name}"`,
        [{ path: "config.name", message: `must be "${name}"` }],
      );
    }
    const [result] = await applyClaimingChanges(c.env, [
      { name, command: { kind: "apply", config, ...meta } },
    ]);
    return respond(c, ChangeResult, result!);
  });

  // One file's services together: hosts moved or swapped between them land all or nothing.
  app.post("/apply", requireScope("admin"), async (c) =>
    respond(c, FileApplyResult, await applyFile(c.env, await readBody(c, FileApplyBody))),
  );

  // What apply would do with the same body (diff, apply --dry-run): decided, nothing stored.
  app.post("/plan", requireScope("read"), async (c) => {
    const preview = await previewFile(c.env, await readBody(c, FileApplyBody));
    const scope = callerScope(c);
    const shown = <T extends ServiceSpec>(spec: T | null) => spec && configFor(scope, spec);
    return respond(c, FilePreview, {
      services: preview.services.map((s) => ({ ...s, spec: shown(s.spec), next: shown(s.next) })),
    });
  });

  app.post("/services/:name/weights", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const { split, ...meta } = await readBody(c, WeightsBody);
    const result = await serviceObjectOf(c.env, name).execute(name, {
      kind: "weights",
      split,
      ...meta,
    });
    return respond(c, ChangeResult, unwrap(ChangeResult, result, `service "${name}"`));
  });

  app.post("/services/:name/revert", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const body = await readBody(c, RevertBody);
    const [result] = await applyClaimingChanges(c.env, [
      { name, command: { kind: "revert", ...body } },
    ]);
    return respond(c, ChangeResult, result!);
  });

  app.delete("/services/:name", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const body =
      c.req.header("content-length") === "0" || !c.req.header("content-type")
        ? {}
        : await readBody(c, DeleteBody);
    const [result] = await applyClaimingChanges(c.env, [
      { name, command: { kind: "delete", ...body } },
    ]);
    return respond(c, ChangeResult, result!);
  });

  app.get("/services/:name/history", requireScope("read"), async (c) => {
    const name = c.req.param("name");
    const history = await (await serviceToRead(c.env, name)).history(name);
    if (history.length === 0) throw new ApiError("not_found", `service "${name}" has no history`);
    return respond(c, HistoryResponse, { name, history });
  });

  app.post("/services/:name/override-tokens", requireScope("admin"), async (c) => {
    const name = c.req.param("name");
    const body = await readBody(c, OverrideTokenBody);
    const record = await recordOf(c.env, name);
    if (!(body.version in record.config.versions)) {
      const versions = Object.keys(record.config.versions);
      const hint = suggestion(body.version, versions);
      throw new ApiError(
        "invalid",
        `service "${name}" has no version "${body.version}"${hint ? `: ${hint}` : ""}`,
        [{ path: "version", message: `one of ${versions.join(", ")}` }],
      );
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
    return respond(c, OverrideToken, {
      token,
      service: name,
      version: body.version,
      expiresAt: new Date(expiresAt).toISOString(),
    });
  });

  return app;
}
