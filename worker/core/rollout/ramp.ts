// Ramped rollback (onFailure: { action: rollback, ramp }): after a failure the candidate's share
// falls to 0 in equal cuts, the first at once and the last when the ramp ends, for origins that
// cannot take the candidate's whole share back at once. Pure: the caller passes `now`.
import { parseDuration } from "../../../schemas/duration.ts";
import type { Rollout } from "../../../schemas/rollout.ts";
import type { RampState, RolloutState } from "../../../schemas/rollout-state.ts";

/** Route tables reach isolates within about ROUTE_REFRESH_SECONDS: finer cuts would not show. */
const MIN_RAMP_STEP_MS = 15_000;
const MAX_RAMP_STEPS = 10;

/** What a failed analysis does, whichever form `onFailure` is written in. */
export function failureActionOf(policy: Pick<Rollout, "onFailure">): "rollback" | "pause" {
  return typeof policy.onFailure === "string" ? policy.onFailure : policy.onFailure.action;
}

/** The ramp of a rollback as written ("2m"); undefined when the rollback is instant (the default). */
function rampOf(policy: Pick<Rollout, "onFailure">): string | undefined {
  const onFailure = policy.onFailure;
  return typeof onFailure === "object" && onFailure.action === "rollback"
    ? onFailure.ramp
    : undefined;
}

/** The ramp of a rollback, in ms; null when the rollback is instant. */
function rampMsOf(policy: Pick<Rollout, "onFailure">): number | null {
  const ramp = rampOf(policy);
  return ramp === undefined ? null : (parseDuration(ramp) ?? null);
}

/** Cuts every `stepMs` from the rollback on: `steps` after the first, so 0 at exactly `rampMs`. */
export function planRamp(from: number, rampMs: number): RampState {
  const steps = Math.max(1, Math.min(MAX_RAMP_STEPS, Math.floor(rampMs / MIN_RAMP_STEP_MS)));
  return { from, steps, stepMs: Math.max(1, Math.floor(rampMs / steps)) };
}

/** The candidate's share after cut `cut` (0 at once … `steps` at the end), to 0.01. */
function level(ramp: RampState, cut: number): number {
  const left = ramp.steps - Math.min(Math.max(cut, 0), ramp.steps);
  return Math.floor((ramp.from * left * 100) / (ramp.steps + 1)) / 100;
}

/** The share the ramp allows at `now`, for a rollback made at `startedAt`. */
export function rampWeightAt(ramp: RampState, startedAt: number, now: number): number {
  return level(ramp, Math.floor((now - startedAt) / ramp.stepMs));
}

/** A rollback's state from its ramp's first cut; unchanged when the policy has no ramp. */
export function withRamp(policy: Rollout, from: number, rolledBack: RolloutState): RolloutState {
  const rampMs = rampMsOf(policy);
  if (rampMs === null || from <= 0) return rolledBack;
  const ramp = planRamp(from, rampMs);
  const verdict = rolledBack.lastVerdict;
  return {
    ...rolledBack,
    weight: level(ramp, 0),
    ramp,
    lastVerdict: verdict && {
      ...verdict,
      reason: `${verdict.reason}; the candidate's ${from}% returns to the baseline over ${rampOf(policy)}`,
    },
  };
}

/** A rollback still returning its candidate's traffic: the cron and the object's alarm step it. */
export function isRamping(
  state: RolloutState | null | undefined,
): state is RolloutState & { ramp: RampState } {
  return (
    state?.phase === "rolledBack" && !!state.ramp && state.weight > 0 && state.endedAt !== null
  );
}

/** The ramp's state at `now`; undefined when its next cut is not due (a repeated tick is a no-op). */
export function rampStep(state: RolloutState, now: number): RolloutState | undefined {
  if (!isRamping(state)) return undefined;
  const weight = rampWeightAt(state.ramp, state.endedAt!, now);
  return weight < state.weight ? { ...state, weight } : undefined;
}

/** When the ramp's next cut is due; null when it is not ramping. */
export function nextRampAt(state: RolloutState | null | undefined): number | null {
  if (!isRamping(state)) return null;
  for (let cut = 0; cut <= state.ramp.steps; cut++) {
    if (level(state.ramp, cut) < state.weight) return state.endedAt! + cut * state.ramp.stepMs;
  }
  return null;
}
