// The release core: a pure function of (state, input, now) to the new state, the history events
// it appends and the effects to deliver (rollout starts, promotions and aborts sent to the service
// objects, the registry's index). Its Durable Object only loads, calls this, and stores the result.
import type { ReleaseEffect, ReleaseState } from "../../../schemas/release-state.ts";
import { releaseEnded } from "../../../schemas/release-state.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import { type ReleaseDecision, ReleaseDraft } from "./draft.ts";
import { observe } from "./observe.ts";
import { type EffectOutcome, settle } from "./settle.ts";
import { rollBack } from "./stop.ts";

export type { ReleaseDecision } from "./draft.ts";
export type { EffectOutcome } from "./settle.ts";
export { type ServiceFacts, startRelease } from "./start.ts";

export type ReleaseInput =
  /** A cron tick's reading of the started services' rollouts (claimed first: claimReleaseTick). */
  | { kind: "observe"; rollouts: Record<string, RolloutState | null> }
  /** What became of an effect the release sent. */
  | { kind: "settled"; effect: ReleaseEffect; outcome: EffectOutcome }
  | { kind: "abort"; author: string | null; reason: string | null };

export type ReleaseTickPlan =
  | { run: false; why: string }
  | { run: true; state: ReleaseState; services: string[] };

/** Claims the tick at `now` (stored before any await): which services' rollouts to read. */
export function claimReleaseTick(state: ReleaseState | null, now: number): ReleaseTickPlan {
  if (!state) return { run: false, why: "no such release" };
  if (releaseEnded(state)) return { run: false, why: `the release ${state.phase}` };
  if (state.phase !== "running")
    return { run: false, why: `the release is ${state.phase}: its commands are being delivered` };
  if (now <= state.lastTickAt) return { run: false, why: "this tick was already applied" };
  const services = state.services
    .filter((s) => s.status === "running" || s.status === "held")
    .map((s) => s.service);
  return { run: true, state: { ...state, lastTickAt: now }, services };
}

export function decideRelease(
  state: ReleaseState,
  input: ReleaseInput,
  now: number,
): Result<ReleaseDecision> {
  switch (input.kind) {
    case "observe": {
      const draft = new ReleaseDraft(state, now, "cron");
      observe(draft, input.rollouts);
      return ok(draft.decision());
    }
    case "settled": {
      const draft = new ReleaseDraft(state, now, `release:${state.name}`);
      settle(draft, input.effect, input.outcome);
      return ok(draft.decision());
    }
    case "abort": {
      if (releaseEnded(state))
        return fail("wrong_phase", `release "${state.name}" already ended: ${state.phase}`);
      if (state.phase === "rollingBack" || state.phase === "aborting")
        return fail("wrong_phase", `release "${state.name}" is already ${state.phase}`);
      const draft = new ReleaseDraft(state, now, input.author);
      const who = input.author ? `aborted by ${input.author}` : "aborted by an operator";
      rollBack(draft, input.reason ? `${who}: ${input.reason}` : who, "aborted");
      return ok(draft.decision());
    }
  }
}
