// A cron tick of a running release reads the rollout of every service it started: a held one is
// marked passed, and one that ended badly (or was replaced) fails the whole release.
import type { RolloutSnapshot, ServiceProgress } from "../../../schemas/release-state.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import type { ReleaseDraft } from "./draft.ts";
import { progress } from "./progress.ts";
import { rollBack } from "./stop.ts";

export function snapshotOf(rollout: RolloutState): RolloutSnapshot {
  return {
    phase: rollout.phase,
    pausedBy: rollout.pausedBy,
    step: rollout.stepIndex + 1,
    stepCount: rollout.stepCount,
    weight: rollout.weight,
    reason: rollout.lastVerdict?.reason ?? null,
  };
}

/** Why the service's rollout fails the release, or undefined while it is fine. */
function failure(progress: ServiceProgress, rollout: RolloutState | null): string | undefined {
  if (!rollout || rollout.id !== progress.rolloutId)
    return `${progress.service}: the rollout the release started is gone (another replaced it)`;
  if (rollout.phase === "rolledBack" || rollout.phase === "aborted") {
    const how = rollout.phase === "aborted" ? "aborted" : "rolled back";
    return `${progress.service} ${how}: ${rollout.lastVerdict?.reason ?? "no reason given"}`;
  }
  return undefined;
}

/** `rollouts`: each started service's current rollout (absent: not read this time). */
export function observe(draft: ReleaseDraft, rollouts: Record<string, RolloutState | null>): void {
  if (draft.state.phase !== "running") return;
  const failures: string[] = [];
  for (const service of draft.inStatus("running", "held")) {
    const rollout = rollouts[service.service];
    if (rollout === undefined) continue;
    const failed = failure(service, rollout);
    if (rollout) service.rollout = snapshotOf(rollout);
    if (failed) {
      service.status = "stopped";
      service.note = failed;
      draft.record("release.serviceFailed", failed, service);
      failures.push(failed);
    } else if (rollout?.phase === "promoted") {
      service.status = "promoted";
    } else if (rollout?.phase === "paused" && rollout.pausedBy === "release") {
      if (service.status !== "held")
        draft.record("release.serviceHeld", `${service.service} passed its last step`, service);
      service.status = "held";
    } else service.status = "running";
  }
  if (failures.length > 0) rollBack(draft, failures.join("; "), "rolledBack");
  else progress(draft);
}
