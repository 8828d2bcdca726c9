// What the data plane is told beside the effective config (schemas/live-routing.ts), derived from
// the rollout: the pin scope (a new rollout voids every pin, a bad end its candidate's) and the
// place a regional wave's weight is limited to.
import type { LiveRouting } from "../../../schemas/live-routing.ts";
import { endedBadly, isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";
import { isRamping } from "../rollout/ramp.ts";
import { placeAt, stepsOf } from "../rollout/steps.ts";

/** The routing hints for a service's publication; undefined before its first rollout. */
export function liveRoutingOf(
  config: Service | null,
  rollout: RolloutState | null,
): LiveRouting | undefined {
  if (!config || !rollout) return undefined;
  const ramping = isRamping(rollout);
  // A ramped rollback's share is the failed step's, so it keeps that step's place too.
  const wave =
    (isActive(rollout) || ramping) && config.rollout
      ? placeAt(stepsOf(config.rollout), rollout.stepIndex)
      : null;
  return {
    scope: rollout.id,
    voided: endedBadly(rollout) ? rollout.candidate : null,
    wave,
    ...(ramping ? { ramping: true as const } : {}),
  };
}
