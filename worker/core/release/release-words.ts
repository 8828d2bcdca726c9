// The words a release's phases and events are told in (`release status`, `release wait`, apply
// --wait), as the rollout's are in event-words.ts: the JSON keeps the camelCase names.
import type { ReleaseEventType, ReleasePhase } from "../../../schemas/release-state.ts";

/** What each release phase is called. */
export const RELEASE_PHASE_NAMES: Record<ReleasePhase, string> = {
  running: "running",
  promoting: "promoting",
  rollingBack: "rolling back",
  aborting: "aborting",
  promoted: "promoted",
  partiallyPromoted: "partially promoted",
  rolledBack: "rolled back",
  aborted: "aborted",
};

/** What each release event is called; one about a service follows its name ("api started"). */
export const RELEASE_EVENT_NAMES: Record<ReleaseEventType, string> = {
  "release.started": "release started",
  "release.serviceStarted": "started",
  "release.serviceHeld": "held",
  "release.serviceFailed": "failed",
  "release.promoting": RELEASE_PHASE_NAMES.promoting,
  "release.servicePromoted": "promoted",
  "release.rollingBack": RELEASE_PHASE_NAMES.rollingBack,
  "release.aborting": RELEASE_PHASE_NAMES.aborting,
  "release.serviceStopped": "stopped",
  "release.promoted": RELEASE_PHASE_NAMES.promoted,
  "release.partiallyPromoted": RELEASE_PHASE_NAMES.partiallyPromoted,
  "release.rolledBack": RELEASE_PHASE_NAMES.rolledBack,
  "release.aborted": RELEASE_PHASE_NAMES.aborted,
};
