// Delivers one outbox effect to its receiver. Every receiver tolerates a second delivery: the
// registry keeps the highest sequence per service, a stats object's halt and resume are keyed by
// rollout id, and notifications carry the effect's id (x-keystone-delivery) for receivers to
// deduplicate. A throw means "not acknowledged": the outbox retries it later.
import type { Effect, PublishAck } from "../../../schemas/ledger.ts";
import { registryOf, statsObjectOf } from "../../contracts.ts";
import type { Env } from "../../env.ts";
import { notify } from "./notify-delivery.ts";

/** The registry's acknowledgement for a publication; nothing for the other effects. */
export async function deliverEffect(
  env: Env,
  effect: Effect,
  deliveryId: string,
): Promise<PublishAck | undefined> {
  switch (effect.kind) {
    case "publish":
      return registryOf(env).publish(effect.publication);
    case "halt":
      await statsObjectOf(env, effect.service, effect.version).halt(effect.signal);
      return undefined;
    case "resume":
      await statsObjectOf(env, effect.service, effect.version).resume(effect.rolloutId);
      return undefined;
    case "notify":
      await notify(env, effect, deliveryId);
      return undefined;
    case "traceCandidate":
      // Needs the service's own store: the service writer delivers it (incident-trace.ts).
      throw new Error("traceCandidate is delivered by the service object itself");
  }
}
