// `apply --wait`: the one step of a pipeline waits for the verdict of what its apply set going —
// the release it started, or each service's rollout toward the file's release (started now, or
// already running it from an earlier run of the same pipeline) — with rollout wait's exit codes.
import type { FileApplyResult } from "../schemas/api-responses.ts";
import { CliError, EXIT } from "./errors.ts";
import type { PlannedChange } from "./plan.ts";
import type { Session } from "./session.ts";
import {
  awaitRelease,
  awaitRollout,
  type ReleaseEnd,
  type RolloutEnd,
  releaseFailure,
  rolloutFailure,
} from "./verdict-wait.ts";
import { waitClock } from "./wait-clock.ts";

interface WaitFlags {
  timeout: string;
  interval: string;
  "promote-gates"?: boolean | undefined;
}

/**
 * The services whose rollout toward the file's release runs after the apply, each with the
 * rollout to wait for: the one the apply started, else the one running it ("first" read).
 */
function rolloutsToWaitFor(
  plan: PlannedChange[],
  applied: FileApplyResult,
): { service: string; rolloutId: string }[] {
  return plan.flatMap((change) => {
    const done = applied.services.find((r) => r.name === change.name)?.plan ?? change.plan;
    if (!done || done.release) return [];
    const running =
      done.rolling !== null &&
      done.desired !== null &&
      done.rolling.name === done.desired.name &&
      done.rolling.origin === done.desired.origin;
    if (done.rolloutId !== null) return [{ service: change.name, rolloutId: done.rolloutId }];
    return running ? [{ service: change.name, rolloutId: "first" }] : [];
  });
}

/** The services whose file release was rolled back (or aborted) before: apply leaves them held. */
function heldReleases(
  plan: PlannedChange[],
  applied: FileApplyResult,
): { service: string; outcome: "held"; words: string }[] {
  return plan.flatMap((change) => {
    const done = applied.services.find((r) => r.name === change.name)?.plan ?? change.plan;
    return done?.outcome === "held"
      ? [{ service: change.name, outcome: "held" as const, words: done.words }]
      : [];
  });
}

export async function waitAfterApply(
  session: Session,
  plan: PlannedChange[],
  applied: FileApplyResult,
  flags: WaitFlags,
  result: Record<string, unknown>,
): Promise<void> {
  const { out, api, author } = session;
  const clock = waitClock(flags);
  const release = applied.release?.release.name;
  if (release) {
    const end: ReleaseEnd = await awaitRelease(api, out, release, clock);
    out.result({ ...result, verdict: { release, ...end } });
    const failure = releaseFailure(release, end, flags.timeout);
    if (failure) throw failure;
    return out.line(`${out.paint("green", "✓")} ${release}: every service promoted`);
  }
  // A re-run of a deploy whose release was rolled back stores nothing and starts nothing, but its
  // release does not serve: the pipeline must stay red, or "re-run failed jobs" turns it green.
  const held = heldReleases(plan, applied);
  if (held.length > 0) {
    out.result({ ...result, verdict: held });
    throw new CliError(
      EXIT.rolledBack,
      held.map(({ service, words }) => `${service}: ${words}`).join("\n"),
    );
  }
  const services = rolloutsToWaitFor(plan, applied);
  if (services.length === 0) {
    out.note("nothing to wait for: no rollout runs toward the file's releases");
    return out.result({ ...result, verdict: null });
  }
  const ends: (RolloutEnd & { service: string })[] = [];
  const promoteGates = flags["promote-gates"] === true;
  for (const { service, rolloutId } of services) {
    const end = await awaitRollout(api, out, service, { clock, promoteGates, author, rolloutId });
    ends.push({ service, ...end });
    const failure = rolloutFailure(service, end, flags.timeout);
    if (failure) {
      out.result({ ...result, verdict: ends });
      throw failure;
    }
    out.line(`${out.paint("green", "✓")} ${service}: promoted`);
  }
  out.result({ ...result, verdict: ends });
}
