// A step that has counted no request for long (NO_TRAFFIC_AFTER_MS): recorded once per step as
// rollout.noTraffic, in history and to the notify targets that ask, saying what the step counts
// and how to send it some. Pure: the tick asks after deciding a hold.
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";
import { noTrafficSentence } from "../rollout/eligible-traffic.ts";

export interface NoTrafficNotice {
  /** The state with the notice marked, so the next tick of this step does not repeat it. */
  next: RolloutState;
  reason: string;
}

/** The notice a holding tick records, or undefined: traffic came, too soon, or already told. */
export function noTrafficNotice(
  config: Service,
  held: RolloutState,
  counted: number,
  now: number,
): NoTrafficNotice | undefined {
  if ((held.noTrafficNotifiedAt ?? -1) >= held.stepStartedAt) return undefined;
  const reason = noTrafficSentence(config, held, counted, now);
  return reason === null ? undefined : { next: { ...held, noTrafficNotifiedAt: now }, reason };
}
