// The CI deploy webhook: a request its gate let in (deploy-hook-gate.ts: signed, fresh) is
// refused when its signature does not match or was seen before (a replay); a genuine one sets a
// service's release (converged under its policy, as an apply naming it), starts a rollout, or
// (its body a release file's content, as JSON) a release. A CI job re-run never takes a service
// back: a release behind what serves is refused on every path, as `keystone apply` refuses it.
import { DeployHookBody } from "../../schemas/api.ts";
import { nestedTooDeep, problemsOf } from "../../schemas/problems.ts";
import { ReleaseFile } from "../../schemas/release-file.ts";
import { withRelease } from "../../schemas/service-spec.ts";
import { registryOf, serviceObjectOf } from "../contracts.ts";
import type { Env } from "../env.ts";
import { refused, signatureMatches, WEBHOOK_MAX_AGE_MS } from "./deploy-hook-gate.ts";
import type { Handlers } from "./endpoints.ts";
import { ApiError, objectAnswer } from "./errors.ts";
import { applyRelease } from "./file-apply.ts";
import { startReleaseOf } from "./releases.ts";
import { recordOf } from "./service-record.ts";

/**
 * A release file's services that name a release behind what serves (one that served before, one
 * a newer release overtook, a lower semantic version), decided as an apply naming it would be:
 * refused, nothing started, as `keystone release start -f` without --force refuses it (the
 * service's start); an operator's `--force` goes back on purpose, a deploy's job run again never.
 */
async function refuseReleasesBehind(env: Env, file: ReleaseFile): Promise<void> {
  for (const entry of file.services) {
    if (entry.release === undefined || entry.origin === undefined) continue;
    // A service that does not exist is the release start's to name, with the file's other problems.
    const record = await recordOf(env, entry.service).catch(() => null);
    if (!record) continue;
    const config = withRelease(record.spec, { name: entry.release, origin: entry.origin });
    const preview = await serviceObjectOf(env, entry.service).preview({
      kind: "apply",
      config,
      baseRevision: record.revision,
    });
    const refused = preview.refused;
    if (refused?.code === "stale_release")
      throw new ApiError(
        "stale_release",
        `deploy webhook refused release "${file.name}": ${refused.message} (an operator can start it on purpose: keystone release start -f … --force)`,
        refused.problems,
      );
  }
}

/** A release file lists `services`; a rollout start names one `service`. */
function isReleaseFile(json: unknown): boolean {
  return typeof json === "object" && json !== null && "services" in json;
}

export const deployHookHandlers = {
  async deployHook(_, c) {
    // deployHookGate ran first: the secret is set, the headers are there, fresh and well formed.
    const secret = c.env.DEPLOY_WEBHOOK_SECRET!;
    const timestamp = c.req.header("x-keystone-timestamp")!;
    const signature = c.req.header("x-keystone-signature")!;
    const raw = await c.req.text();
    const now = Date.now();
    if (!signatureMatches(secret, timestamp, signature, raw))
      throw refused(c, "the signature does not match");
    if (!(await registryOf(c.env).claimWebhookSignature(signature, now, 2 * WEBHOOK_MAX_AGE_MS))) {
      throw new ApiError(
        "unauthorized",
        "deploy webhook refused: this request was already received (replay)",
      );
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      throw new ApiError("bad_request", "the request body is not valid JSON");
    }
    const deep = nestedTooDeep(json);
    if (deep) throw new ApiError("invalid", "the request body is not valid", [deep]);
    if (isReleaseFile(json)) {
      const file = ReleaseFile.safeParse(json);
      if (!file.success)
        throw new ApiError("invalid", "the release file is not valid", problemsOf(file.error));
      await refuseReleasesBehind(c.env, file.data);
      const who = { author: "deploy-webhook", reason: `deploy webhook: release ${file.data.name}` };
      return startReleaseOf(c.env, file.data, who);
    }
    const parsed = DeployHookBody.safeParse(json);
    if (!parsed.success)
      throw new ApiError("invalid", "the request body is not valid", problemsOf(parsed.error));
    const { service, author, ...start } = parsed.data;
    if (start.release !== undefined && start.origin !== undefined) {
      const release = { name: start.release, origin: start.origin };
      const options = {
        strategy: start.strategy,
        author: author ?? "deploy-webhook",
        reason: `deploy ${start.release}`,
      };
      return applyRelease(c.env, service, release, options);
    }
    const result = await serviceObjectOf(c.env, service).execute({
      kind: "rollout.start",
      ...start,
      author: author ?? "deploy-webhook",
      reason: start.release ? `deploy ${start.release}` : "deploy webhook",
    });
    return objectAnswer(result, `service "${service}"`);
  },
} satisfies Partial<Handlers>;
