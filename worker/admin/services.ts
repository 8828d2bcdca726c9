// The admin API's service endpoints: read, apply (one service or a whole file), weights, revert,
// delete, history, override tokens.
import { ServiceRecord } from "../../schemas/api-responses.ts";
import { parseDuration } from "../../schemas/duration.ts";
import type { ServiceSpec } from "../../schemas/service-spec.ts";
import { suggestion } from "../../schemas/suggest.ts";
import { serviceObjectOf } from "../contracts.ts";
import { configFor, secretsAsReadersCompare } from "../core/config-readers.ts";
import { signOverride } from "../core/override.ts";
import { callerScope } from "./auth.ts";
import { allBounded } from "./bounded.ts";
import { applyClaimingChanges } from "./claiming-changes.ts";
import type { Handlers } from "./endpoints.ts";
import { ApiError, objectAnswer, parseRpc } from "./errors.ts";
import { applyFile, previewFile } from "./file-apply.ts";
import { liveServices, recordOf, serviceToRead, storedSpec } from "./service-record.ts";
import { deploymentWarnings } from "./warnings.ts";

export const serviceHandlers = {
  async listServices({ query: { limit, cursor } }, c) {
    // The registry answers in name order; only the page's objects are asked for their records.
    const after = (await liveServices(c.env)).filter(
      ({ name }) => cursor === undefined || name > cursor,
    );
    const page = limit === undefined ? after : after.slice(0, limit);
    const records = await Promise.all(
      page.map(async ({ name }) =>
        parseRpc(ServiceRecord.nullable(), await serviceObjectOf(c.env, name).record(), name),
      ),
    );
    const scope = callerScope(c);
    return {
      // A service deleted since the registry answered is left out.
      services: records
        .filter((r) => r !== null)
        .map((r) => ({
          ...r,
          config: configFor(scope, r.config),
          spec: configFor(scope, r.spec),
        })),
      nextCursor: page.length < after.length ? page[page.length - 1]!.name : null,
      warnings: deploymentWarnings(c.env),
    };
  },

  async getService({ params }, c) {
    const record = await recordOf(c.env, params.name);
    return {
      ...record,
      config: configFor(callerScope(c), record.config),
      spec: configFor(callerScope(c), record.spec),
      warnings: deploymentWarnings(c.env),
    };
  },

  async applyService({ params: { name }, body: { config, ...meta } }, c) {
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
    return result!;
  },

  // One file's services together: hosts moved or swapped between them land all or nothing.
  applyFile: ({ body }, c) => applyFile(c.env, body),

  // What apply would do with the same body (diff, apply --dry-run): decided, nothing stored.
  async planFile({ body }, c) {
    const scope = callerScope(c);
    // A reader's file is compared as readers see it: a secret whose masked form is a stored one's
    // is taken for it, so a plan cannot confirm a guessed webhook path or gate token; one nothing
    // stored stands for (a new service's, a new notify target) is new, as apply would find it.
    const asSeen =
      scope === "admin"
        ? body
        : {
            ...body,
            services: await allBounded(body.services, async (s) => ({
              ...s,
              config: secretsAsReadersCompare(s.config, await storedSpec(c.env, s.config.name)),
            })),
          };
    const preview = await previewFile(c.env, asSeen);
    const shown = <T extends ServiceSpec>(spec: T | null) => spec && configFor(scope, spec);
    return {
      services: preview.services.map((s) => ({ ...s, spec: shown(s.spec), next: shown(s.next) })),
    };
  },

  async setWeights({ params: { name }, body: { split, ...meta } }, c) {
    const result = await serviceObjectOf(c.env, name).execute({
      kind: "weights",
      split,
      ...meta,
    });
    return objectAnswer(result, `service "${name}"`);
  },

  async revertService({ params: { name }, body }, c) {
    const [result] = await applyClaimingChanges(c.env, [
      { name, command: { kind: "revert", ...body } },
    ]);
    return result!;
  },

  async deleteService({ params: { name }, body }, c) {
    const [result] = await applyClaimingChanges(c.env, [
      { name, command: { kind: "delete", ...body } },
    ]);
    return result!;
  },

  async serviceHistory({ params: { name }, query: { last } }, c) {
    const history = await (await serviceToRead(c.env, name)).history(last);
    if (history.length === 0) throw new ApiError("not_found", `service "${name}" has no history`);
    return { name, history };
  },

  async mintOverrideToken({ params: { name }, body }, c) {
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
    return {
      token,
      service: name,
      version: body.version,
      expiresAt: new Date(expiresAt).toISOString(),
    };
  },
} satisfies Partial<Handlers>;
