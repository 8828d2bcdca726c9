// When a service of a release may start (its `after` condition), and where the release stands
// in words: what runs, what is held, what waits for what.
import type { StartCondition } from "../../../schemas/release-file.ts";
import type { ReleaseState, ServiceProgress } from "../../../schemas/release-state.ts";

const PASSED: readonly ServiceProgress["status"][] = ["held", "promoting", "promoted"];

export function hasPassed(progress: ServiceProgress): boolean {
  return PASSED.includes(progress.status);
}

/** Whether the service a condition names stands where the condition asks. */
export function conditionHolds(
  after: StartCondition,
  target: ServiceProgress | undefined,
): boolean {
  if (!target) return false;
  if (hasPassed(target)) return true;
  if (after.passed) return false;
  return target.status === "running" && (target.rollout?.step ?? 0) >= (after.reached ?? 1);
}

export function describeCondition(after: StartCondition): string {
  return after.passed
    ? `${after.service} has passed its last step`
    : `${after.service} reached step ${after.reached}`;
}

function standing(state: ReleaseState, progress: ServiceProgress): string {
  const rollout = progress.rollout;
  switch (progress.status) {
    case "waiting": {
      const after = state.file.services.find((s) => s.service === progress.service)?.after;
      return `${progress.service} waits until ${after ? describeCondition(after) : "it starts"}`;
    }
    case "running":
      return rollout
        ? `${progress.service} at step ${rollout.step} of ${rollout.stepCount} (${rollout.weight}%)`
        : `${progress.service} started`;
    default:
      return `${progress.service} ${progress.status}`;
  }
}

/** One line on a running release: every service's standing. */
export function describeRunning(state: ReleaseState): string {
  return state.services.map((s) => standing(state, s)).join("; ");
}
