// When an object ticks next. Active rollouts and running releases drive themselves: each object
// sets its alarm for its next tick, so ticking N rollouts costs N alarms spread over the minute
// rather than one cron invocation fanning out to all of them. The cron only wakes what is late
// (an alarm lost, an object stored before alarms drove ticks). Pure: callers pass times.
import type { ReleaseState } from "../../../schemas/release-state.ts";
import { isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import { nextRampAt } from "./ramp.ts";

/** The cadence the cron ticked at before objects drove themselves: judgements keep their pace. */
export const DEFAULT_TICK_MS = 60_000;

/** The tick interval from ROLLOUT_TICK_SECONDS (unset, empty or not a positive number: 60 s). */
export function tickIntervalMs(seconds: string | undefined): number {
  const parsed = Number(seconds);
  return Number.isFinite(parsed) && parsed > 0 ? parsed * 1000 : DEFAULT_TICK_MS;
}

/** A rollout's next tick: an interval after its last tick (or its step's start); a ramp's next cut. */
export function nextRolloutTickAt(
  rollout: RolloutState | null | undefined,
  intervalMs: number,
): number | null {
  if (isActive(rollout)) return Math.max(rollout.lastTickAt, rollout.stepStartedAt) + intervalMs;
  return nextRampAt(rollout);
}

/** A running release's next tick (none in other phases: their outbox drives them). */
export function nextReleaseTickAt(
  release: ReleaseState | null | undefined,
  intervalMs: number,
): number | null {
  return release?.phase === "running" ? release.lastTickAt + intervalMs : null;
}

/**
 * Late: an object whose tick was due more than half an interval before `now` (its alarm should
 * have fired), or whose due time the registry never heard. Half an interval leaves an alarm that
 * fires on time, ticks and reports its next due time well clear of the cron's wake-up.
 */
export function lateBefore(now: number, intervalMs: number): number {
  return now - Math.floor(intervalMs / 2);
}
