// The rollout option releases use: a rollout started with `heldBy: {release}` does not promote at
// its end; its promotion (by the cron or an operator) becomes a pause `pausedBy: "release"` at the
// last step's weight, and only its release promotes it (or aborts it), on its behalf.
import { fail, type Result } from "../../../schemas/result.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";

export function isHeldForRelease(rollout: RolloutState | null | undefined): boolean {
  return rollout?.phase === "paused" && rollout.pausedBy === "release";
}

/** Why a rollout of a release refuses this command; undefined when it may go ahead. */
export function releaseRefusal(
  rollout: RolloutState,
  action: "rollout.promote" | "rollout.pause" | "rollout.resume" | "rollout.abort",
  command: { full?: boolean | undefined; onBehalfOf?: string | undefined },
): Result<never> | undefined {
  // An ended rollout refuses every command by its own phase.
  if (rollout.phase !== "progressing" && rollout.phase !== "paused") return undefined;
  const release = rollout.heldBy?.release;
  if (command.onBehalfOf !== undefined) {
    if (release !== command.onBehalfOf)
      return fail("wrong_phase", `this rollout is not part of release "${command.onBehalfOf}"`);
    if (action === "rollout.promote" && !isHeldForRelease(rollout))
      return fail("wrong_phase", "the rollout has not passed its last step yet");
    return undefined;
  }
  if (!release) return undefined;
  const status = `keystone release status ${release}`;
  if (action === "rollout.promote" && (command.full === true || isHeldForRelease(rollout)))
    return fail(
      "wrong_phase",
      `this rollout is part of release "${release}": it is promoted with the release's other services once every one has passed (${status}); keystone release abort ${release} stops them all`,
    );
  if (action === "rollout.resume" && isHeldForRelease(rollout))
    return fail(
      "wrong_phase",
      `the rollout passed its last step and waits for release "${release}" (${status})`,
    );
  return undefined;
}

/** The started rollout, marked as its release's. */
export function heldFrom<T extends Result<RolloutState>>(
  started: T,
  heldBy: { release: string } | undefined,
): T {
  return started.ok && heldBy ? { ...started, value: { ...started.value, heldBy } } : started;
}

/**
 * A promotion of a rollout its release holds, as the hold: paused at the last step's weight,
 * with a verdict that says what it waits for. Anything else passes unchanged.
 */
export function holdForRelease(
  before: RolloutState,
  next: RolloutState,
  onBehalfOf?: string,
): RolloutState {
  const release = before.heldBy?.release;
  if (!release || next.phase !== "promoted" || onBehalfOf === release) return next;
  const verdict = next.lastVerdict;
  const reason = `${verdict?.reason ?? "last step passed"}: held at ${before.weight}% until every service of release "${release}" has passed`;
  return {
    ...before,
    phase: "paused",
    pausedBy: "release",
    lastTickAt: next.lastTickAt,
    failures: next.failures,
    lastVerdict: verdict ? { ...verdict, outcome: "pause", reason } : null,
  };
}

/** A command a release sent on its behalf says so in the rollout's verdict. */
export function onBehalf(next: RolloutState, release: string | undefined): RolloutState {
  const verdict = next.lastVerdict;
  if (!release || !verdict) return next;
  const reason =
    next.phase === "promoted"
      ? `promoted with release "${release}": every service of it passed`
      : `aborted by release "${release}": all traffic to the baseline`;
  return { ...next, lastVerdict: { ...verdict, reason } };
}
