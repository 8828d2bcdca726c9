// A config file applied (or previewed) as a whole: its services' changes land together (host moves
// and swaps all or nothing), and with `together` the new releases it names roll out as one release.
import type { FileApplyBody } from "../../schemas/api.ts";
import type { ChangeResult, ReleaseStatus } from "../../schemas/api-responses.ts";
import type { FilePreview, ServicePreview } from "../../schemas/apply-plan.ts";
import { type ApplyCommand, ClaimingCommand } from "../../schemas/ledger.ts";
import { ReleaseFile } from "../../schemas/release-file.ts";
import type { Failure } from "../../schemas/result.ts";
import type { RolloutStrategy } from "../../schemas/rollout.ts";
import { type DesiredRelease, withRelease } from "../../schemas/service-spec.ts";
import { knownReleaseObjectOf, registryOf, serviceObjectOf } from "../contracts.ts";
import { previewView } from "../control-plane/service/views.ts";
import { decide } from "../core/ledger/ledger.ts";
import { emptyState } from "../core/ledger/state.ts";
import type { Env } from "../env.ts";
import { allBounded } from "./bounded.ts";
import { applyClaimingChanges } from "./claiming-changes.ts";
import { ApiError } from "./errors.ts";
import { startReleaseOf } from "./releases.ts";
import { recordOf } from "./service-record.ts";

function commandsOf(body: FileApplyBody): { name: string; command: ApplyCommand }[] {
  const { services, together, force, instant, author, reason } = body;
  return services.map(({ config, baseRevision }) => ({
    name: config.name,
    command: { kind: "apply", config, baseRevision, together, force, instant, author, reason },
  }));
}

/**
 * What applying the file would do to each service, decided as apply decides it, nothing stored. A
 * service the registry never saw is decided here from the empty state its object would start from:
 * reaching an object creates it, and its storage (a read token could make one per name it plans).
 * A host another service serves refuses the service that claims it, as the apply's claims would.
 */
export async function previewFile(env: Env, body: FileApplyBody): Promise<FilePreview> {
  const commands = commandsOf(body);
  const registry = registryOf(env);
  // One registry call for the whole file, not one per service (files hold thousands).
  const [published, claims] = await Promise.all([
    registry.published(commands.map(({ name }) => name)).then((names) => new Set(names)),
    registry.hostConflicts(body.services.map(({ config }) => config)),
  ]);
  const services = await allBounded(commands, async ({ name, command }) => {
    if (published.has(name)) return serviceObjectOf(env, name).preview(command);
    const state = emptyState(name);
    const parsed = ClaimingCommand.parse(command);
    return previewView(name, state, decide(state, parsed, Date.now(), { rolloutId: "preview" }));
  });
  if (claims.ok) return { services };
  return { services: services.map((service) => withClaimRefusal(service, claims.error)) };
}

/** A service whose hosts another service serves is refused with those problems (if not already). */
function withClaimRefusal(service: ServicePreview, claims: Failure): ServicePreview {
  const own = (claims.problems ?? []).filter(({ path }) => path.startsWith(`${service.name}.`));
  if (service.refused || own.length === 0) return service;
  return { ...service, refused: { code: claims.code, message: own[0]!.message, problems: own } };
}

/** A release of this name must not be running: its services would be refused after the apply. */
async function checkReleaseFree(env: Env, name: string): Promise<void> {
  // A name never started is free, and no object is made for it here.
  const object = await knownReleaseObjectOf(env, name);
  const status = object ? await object.status() : null;
  if (status?.ok && status.value.release.endedAt === null)
    throw new ApiError(
      "wrong_phase",
      `release "${name}" (the file's together.release) is still ${status.value.release.phase}: wait for it to end, or keystone release abort ${name}`,
    );
}

export async function applyFile(
  env: Env,
  body: FileApplyBody,
): Promise<{ services: ChangeResult[]; release: ReleaseStatus | null }> {
  if (body.together) await checkReleaseFree(env, body.together.release);
  const services = await applyClaimingChanges(env, commandsOf(body));
  const joining = services.flatMap((result) =>
    result.plan?.outcome === "release" && result.plan.desired
      ? [{ service: result.name, ...result.plan.desired }]
      : [],
  );
  if (!body.together || joining.length === 0) return { services, release: null };
  const file = ReleaseFile.parse({
    name: body.together.release,
    services: joining.map(({ service, name, origin }) => ({
      service,
      origin,
      ...(name === null ? {} : { release: name }),
    })),
  });
  const who = { author: body.author, reason: body.reason ?? `apply: ${joining.length} services` };
  try {
    return { services, release: await startReleaseOf(env, file, who) };
  } catch (error) {
    // The file is stored (its services now want the new releases); applying it again retries.
    if (!(error instanceof ApiError)) throw error;
    throw new ApiError(
      error.code,
      `the file was applied, but release "${file.name}" did not start: ${error.message} (apply it again to retry)`,
      error.problems,
    );
  }
}

/**
 * One service's release set, the rest of its spec as last applied (the deploy webhook): converged
 * under its policy like an apply of its file naming that release.
 */
export async function applyRelease(
  env: Env,
  service: string,
  release: DesiredRelease,
  options: { strategy?: RolloutStrategy | undefined; author: string; reason: string },
): Promise<ChangeResult> {
  const record = await recordOf(env, service);
  const config = withRelease(record.spec, release);
  const command: ApplyCommand = {
    kind: "apply",
    config,
    baseRevision: record.revision,
    ...options,
  };
  const [result] = await applyClaimingChanges(env, [{ name: service, command }]);
  return result!;
}
