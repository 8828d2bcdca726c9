// A running release moves on: services whose condition holds are started, and once every service
// has passed its last step they are promoted together, one after another.
import { conditionHolds, describeCondition, describeRunning, hasPassed } from "./conditions.ts";
import type { ReleaseDraft } from "./draft.ts";
import { conclude } from "./stop.ts";

/** Starts what may start; promotes when everything passed. Only for a running release. */
export function progress(draft: ReleaseDraft): void {
  const state = draft.state;
  if (state.phase !== "running") return;
  for (const entry of state.file.services) {
    const progress = draft.service(entry.service)!;
    if (progress.status !== "waiting") continue;
    if (entry.after && !conditionHolds(entry.after, draft.service(entry.after.service))) continue;
    progress.status = "starting";
    progress.note = entry.after ? `started when ${describeCondition(entry.after)}` : null;
    const { service, origin, release, strategy } = entry;
    draft.send({
      kind: "start",
      run: draft.run,
      service,
      ...(origin ? { origin } : {}),
      ...(release ? { release } : {}),
      ...(strategy ? { strategy } : {}),
      ...(state.forced ? { force: true as const } : {}),
    });
  }
  if (state.services.every(hasPassed)) {
    state.phase = "promoting";
    draft.record(
      "release.promoting",
      "every service passed its last step: promoting them together",
    );
    promoteNext(draft);
    return;
  }
  state.reason = describeRunning(state);
}

/**
 * Promotes the next held service; with none left, the release ends. One at a time, so a service
 * that fails in between leaves the others unpromoted (and then rolled back).
 */
export function promoteNext(draft: ReleaseDraft): void {
  const next = draft.inStatus("held")[0];
  if (!next) {
    conclude(draft);
    return;
  }
  next.status = "promoting";
  draft.send({ kind: "promote", run: draft.run, service: next.service });
  draft.state.reason = `promoting ${next.service}`;
}
