// One cut of a ramped rollback, as a ledger decision: the candidate's share the ramp allows at
// `now`, published. Driven by the cron and by the service object's own alarm (for cuts finer
// than a minute); a repeated or late call is a no-op, and analysis no longer runs, so a second
// failure cannot restart the ramp.
import type { TickReply } from "../../../schemas/ledger.ts";
import { rampStep } from "../rollout/ramp.ts";
import { commitRollout } from "./rollout-changes.ts";
import type { Decision, LedgerState } from "./state.ts";

export function stepRamp(state: LedgerState, now: number): Decision<TickReply> | undefined {
  const next = state.rollout && rampStep(state.rollout, now);
  if (!next) return undefined;
  const committed = commitRollout(state, next, undefined, { author: "ramp" }, now);
  return {
    ...committed,
    reply: { ticked: true, phase: next.phase, outcome: `ramp at ${next.weight}%` },
  };
}
