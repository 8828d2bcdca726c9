// What a release object reads from and sends to the service objects and the registry. Reads are
// parsed as they enter; a start, promotion or abort is sent on the release's behalf, and a retry
// of one that already went through (the object was evicted before it heard back) is recognised.
import { ServiceRecord } from "../../../schemas/api-responses.ts";
import type { DirectCommand } from "../../../schemas/ledger.ts";
import type { ReleaseFile } from "../../../schemas/release-file.ts";
import type { ReleaseEffect } from "../../../schemas/release-state.ts";
import { ResultEnvelope } from "../../../schemas/result.ts";
import { isActive, RolloutState } from "../../../schemas/rollout-state.ts";
import { registryOf, serviceObjectOf } from "../../contracts.ts";
import type { EffectOutcome, ServiceFacts } from "../../core/release/release.ts";
import type { Env } from "../../env.ts";

async function rolloutOf(env: Env, service: string): Promise<RolloutState | null> {
  return RolloutState.nullable().parse(await serviceObjectOf(env, service).rolloutState());
}

/** Each service of the file as it stands: its config of record and its rollout. */
export async function readServiceFacts(
  env: Env,
  file: ReleaseFile,
): Promise<Record<string, ServiceFacts>> {
  const entries = await Promise.all(
    file.services.map(async ({ service }) => {
      const stub = serviceObjectOf(env, service);
      const record = ServiceRecord.nullable().parse(await stub.record());
      return [service, { config: record?.config ?? null, rollout: await rolloutOf(env, service) }];
    }),
  );
  return Object.fromEntries(entries);
}

/** The current rollout of each service; one that cannot be read now is left out (read next time). */
export async function readRollouts(
  env: Env,
  services: string[],
): Promise<Record<string, RolloutState | null>> {
  const reads = await Promise.allSettled(services.map((service) => rolloutOf(env, service)));
  return Object.fromEntries(
    reads.flatMap((read, i) => (read.status === "fulfilled" ? [[services[i]!, read.value]] : [])),
  );
}

/**
 * Sends one effect; its outcome for the release core (null for the registry's index). A throw
 * means "not delivered": the outbox retries it.
 */
export async function deliverReleaseEffect(
  env: Env,
  release: string,
  effect: ReleaseEffect,
  why: string,
): Promise<EffectOutcome | null> {
  if (effect.kind === "index") {
    await registryOf(env).indexRelease(release, effect.active);
    return null;
  }
  const { service } = effect;
  const who = { author: `release:${release}`, reason: `release ${release}: ${why}` };
  const command: DirectCommand =
    effect.kind === "start"
      ? {
          kind: "rollout.start",
          origin: effect.origin,
          release: effect.release,
          strategy: effect.strategy,
          heldBy: { release },
          ...(effect.force ? { force: true } : {}),
          ...who,
        }
      : effect.kind === "promote"
        ? { kind: "rollout.promote", full: true, onBehalfOf: release, ...who }
        : { kind: "rollout.abort", onBehalfOf: release, ...who };
  const result = ResultEnvelope.parse(await serviceObjectOf(env, service).execute(command));
  const rollout = await rolloutOf(env, service);
  if (result.ok) return { ok: true, rollout };
  // A retry of a command that went through the first time: the rollout already stands there.
  const ours = rollout?.heldBy?.release === release;
  if (ours && effect.kind === "start" && isActive(rollout)) return { ok: true, rollout };
  if (ours && effect.kind === "promote" && rollout?.phase === "promoted")
    return { ok: true, rollout };
  return { ok: false, reason: result.error.message };
}
