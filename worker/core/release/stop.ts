// A release that fails (a service rolled back, aborted or refused) or is aborted stops every
// service it started; it ends once nothing it sent is still in flight.
import type { ReleaseEventType } from "../../../schemas/release-state.ts";
import type { ReleaseDraft } from "./draft.ts";

/**
 * Aborts every service the release started (or is starting); the ones still waiting never will.
 * A promotion already in flight is left to settle: once sent, it cannot be taken back.
 */
export function rollBack(
  draft: ReleaseDraft,
  reason: string,
  ending: "rolledBack" | "aborted",
): void {
  const state = draft.state;
  state.phase = ending === "aborted" ? "aborting" : "rollingBack";
  state.reason = reason;
  draft.record(ending === "aborted" ? "release.aborting" : "release.rollingBack", reason);
  for (const progress of state.services) {
    if (progress.status === "waiting") {
      progress.status = "notStarted";
      progress.note = "the release stopped before its condition held";
    } else if (["starting", "running", "held"].includes(progress.status)) {
      progress.status = "stopping";
      draft.send({ kind: "abort", run: draft.run, service: progress.service });
    }
  }
  conclude(draft);
}

const ENDINGS = {
  promoted: "release.promoted",
  partiallyPromoted: "release.partiallyPromoted",
  rolledBack: "release.rolledBack",
  aborted: "release.aborted",
} as const satisfies Record<string, ReleaseEventType>;

/** Ends the release once no start, promotion or abort it sent is in flight. */
export function conclude(draft: ReleaseDraft): void {
  const state = draft.state;
  if (draft.inStatus("starting", "stopping", "promoting").length > 0) return;
  const promoted = draft.inStatus("promoted").map((s) => s.service);
  let ending: keyof typeof ENDINGS;
  let reason: string;
  if (state.phase === "promoting") {
    ending = "promoted";
    reason = `every service promoted: ${promoted.join(", ")}`;
  } else if (state.phase === "rollingBack" || state.phase === "aborting") {
    ending =
      promoted.length > 0
        ? "partiallyPromoted"
        : state.phase === "aborting"
          ? "aborted"
          : "rolledBack";
    reason =
      promoted.length > 0
        ? `${state.reason}; already promoted before it failed: ${promoted.join(", ")}`
        : state.reason;
  } else return;
  state.phase = ending;
  state.reason = reason;
  state.endedAt = draft.now;
  draft.record(ENDINGS[ending], reason);
  draft.send({ kind: "index", active: false });
}
