// Waiting for a verdict, as `rollout wait`, `release wait` and `apply --wait` do: poll until the
// rollout (or release) ends or the clock runs out, saying each change on stderr, passing pause
// gates when asked. The outcome is returned; each command turns it into its exit code.
import type { ReleaseStatus, RolloutStateWire } from "../schemas/api-responses.ts";
import { RELEASE_PHASE_NAMES } from "../worker/core/release/release-words.ts";
import { PHASE_NAMES } from "../worker/core/rollout/event-words.ts";
import type { ApiClient } from "./client.ts";
import { CliError, EXIT, pollsThrough } from "./errors.ts";
import type { Output } from "./io.ts";
import type { WaitClock } from "./wait-clock.ts";

export type RolloutEnd = { outcome: string; state: RolloutStateWire };

export interface RolloutWaitOptions {
  clock: WaitClock;
  promoteGates: boolean;
  author: string;
  /**
   * The rollout to wait for (`apply --wait`: the one its apply started; "first": the one running
   * at the first read). Another rollout in its place means it ended, replaced by a newer apply's:
   * its verdict is not this one's, nor are its pause gates this job's to pass.
   */
  rolloutId?: string | "first";
}

/**
 * One read of a wait's poll. A pipeline's gate must not fail because the admin API blinked (the
 * Worker redeployed or restarting, a reset, a proxy's 502) while the rollout goes on: a transient
 * failure is said on stderr and the read tried again at the next check, until --timeout; then,
 * or for any other failure, the error ends the wait as before. Only reads are retried. Until the
 * command has had an answer (`answered`: `apply --wait` has had its apply's), nothing answering
 * at all is said at once: a wrong --url would otherwise be retried for the whole --timeout.
 */
export async function pollThrough<T>(
  out: Output,
  clock: WaitClock,
  answered: boolean,
  read: () => Promise<T>,
): Promise<T> {
  for (;;) {
    try {
      return await read();
    } catch (error) {
      if (!pollsThrough(error, answered) || clock.expired()) throw error;
      out.note(`${error.message} (retrying until --timeout)`);
      await clock.pause();
    }
  }
}

export async function awaitRollout(
  api: ApiClient,
  out: Output,
  service: string,
  options: RolloutWaitOptions,
): Promise<RolloutEnd> {
  let last = "";
  let pinned = options.rolloutId === "first" ? undefined : options.rolloutId;
  for (;;) {
    const { state } = await pollThrough(out, options.clock, api.answered, () =>
      api.call("rolloutStatus", { params: { name: service } }),
    );
    if (!state) throw new CliError(EXIT.error, `service "${service}" has no rollout to wait for`);
    if (options.rolloutId === "first") pinned ??= state.id;
    if (pinned !== undefined && state.id !== pinned) return { outcome: "replaced", state };
    const summary = `${PHASE_NAMES[state.phase]}, step ${state.stepIndex + 1} of ${state.stepCount}, ${state.candidate} at ${state.weight}%`;
    if (summary !== last)
      out.note(
        `${service}: ${summary}${state.lastVerdict ? ` — ${state.lastVerdict.reason}` : ""}`,
      );
    last = summary;
    if (["promoted", "rolledBack", "aborted"].includes(state.phase))
      return { outcome: state.phase, state };
    if (options.promoteGates && state.phase === "paused" && state.pausedBy === "gate") {
      await api.call("promoteRollout", {
        params: { name: service },
        body: {
          full: false,
          author: options.author,
          reason: "pause gate passed by rollout wait --promote-gates",
        },
      });
      out.note(`${service}: pause gate passed (--promote-gates)`);
      continue;
    }
    if (options.clock.expired()) return { outcome: "timeout", state };
    await options.clock.pause();
  }
}

/** A rollout's end as an exit: nothing for promoted, else the error that says how it ended. */
export function rolloutFailure(service: string, end: RolloutEnd, timeout: string): CliError | null {
  const { outcome, state } = end;
  if (outcome === "promoted") return null;
  if (outcome === "replaced")
    return new CliError(
      EXIT.rolledBack,
      `${service}: the rollout it waited for ended, superseded by a newer one (rollout ${state.id.slice(0, 8)}, ${state.candidate} at ${state.weight}%): its release does not serve`,
    );
  if (outcome === "timeout")
    return new CliError(
      EXIT.timeout,
      `${service}: still ${PHASE_NAMES[state.phase]} after ${timeout}`,
    );
  return new CliError(
    EXIT.rolledBack,
    `${service}: rollout ${outcome === "aborted" ? "aborted" : "rolled back"} — ${state.lastVerdict?.reason ?? ""}`,
  );
}

export type ReleaseEnd = { outcome: string; status: ReleaseStatus };

export async function awaitRelease(
  api: ApiClient,
  out: Output,
  name: string,
  clock: WaitClock,
): Promise<ReleaseEnd> {
  let last = "";
  for (;;) {
    const status = await pollThrough(out, clock, api.answered, () =>
      api.call("releaseStatus", { params: { name } }),
    );
    const { phase, reason } = status.release;
    const summary = `${RELEASE_PHASE_NAMES[phase]} — ${reason}`;
    if (summary !== last) out.note(`${name}: ${summary}`);
    last = summary;
    if (["promoted", "rolledBack", "aborted", "partiallyPromoted"].includes(phase))
      return { outcome: phase, status };
    if (clock.expired()) return { outcome: "timeout", status };
    await clock.pause();
  }
}

export function releaseFailure(name: string, end: ReleaseEnd, timeout: string): CliError | null {
  const { phase, reason } = end.status.release;
  if (end.outcome === "promoted") return null;
  if (end.outcome === "timeout")
    return new CliError(
      EXIT.timeout,
      `${name}: still ${RELEASE_PHASE_NAMES[phase]} after ${timeout}`,
    );
  return new CliError(
    EXIT.rolledBack,
    `${name}: release ${RELEASE_PHASE_NAMES[phase]} — ${reason}`,
  );
}
