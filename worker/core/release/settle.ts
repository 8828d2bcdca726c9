// What became of a start, promotion or abort the release sent: a started rollout is followed, a
// refused start or promotion fails the release, and a release that stopped meanwhile aborts
// whatever still started.
import type { ReleaseEffect, ServiceProgress } from "../../../schemas/release-state.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import type { ReleaseDraft } from "./draft.ts";
import { snapshotOf } from "./observe.ts";
import { progress, promoteNext } from "./progress.ts";
import { conclude, rollBack } from "./stop.ts";

/** A delivered effect's answer: done (with the service's rollout as it now stands) or refused. */
export type EffectOutcome =
  | { ok: true; rollout: RolloutState | null }
  | { ok: false; reason: string };

function failRelease(draft: ReleaseDraft, service: ServiceProgress, note: string): void {
  service.status = "stopped";
  service.note = note;
  draft.record("release.serviceFailed", note, service);
  rollBack(draft, `${service.service}: ${note}`, "rolledBack");
}

function started(draft: ReleaseDraft, service: ServiceProgress, outcome: EffectOutcome): void {
  const running = draft.state.phase === "running";
  if (outcome.ok) {
    if (running && service.status !== "starting") return; // settled already
    service.rolloutId = outcome.rollout?.id ?? null;
    if (running) {
      service.status = "running";
      draft.record("release.serviceStarted", service.note ?? "first to start", service);
      progress(draft);
    } else {
      // Started after the release began to stop (even after an abort that found nothing).
      service.status = "stopping";
      draft.send({ kind: "abort", run: draft.run, service: service.service });
    }
  } else if (service.status === "starting") {
    if (running) failRelease(draft, service, `start refused: ${outcome.reason}`);
    else {
      service.status = "notStarted";
      service.note = `start refused: ${outcome.reason}`;
      conclude(draft);
    }
  }
}

function promoted(draft: ReleaseDraft, service: ServiceProgress, outcome: EffectOutcome): void {
  if (service.status !== "promoting") return;
  const promoting = draft.state.phase === "promoting";
  if (outcome.ok) {
    service.status = "promoted";
    draft.record("release.servicePromoted", `${service.service} promoted`, service);
    if (promoting) promoteNext(draft);
    else conclude(draft);
  } else if (promoting) failRelease(draft, service, `promotion refused: ${outcome.reason}`);
  else {
    // The release is already stopping (an operator's abort): this one simply did not promote.
    service.status = "stopped";
    service.note = `promotion refused: ${outcome.reason}`;
    conclude(draft);
  }
}

function stopped(draft: ReleaseDraft, service: ServiceProgress, outcome: EffectOutcome): void {
  if (service.status !== "stopping") return;
  service.status = "stopped";
  service.note = outcome.ok ? "aborted by the release" : outcome.reason;
  draft.record("release.serviceStopped", service.note, service);
  conclude(draft);
}

export function settle(draft: ReleaseDraft, effect: ReleaseEffect, outcome: EffectOutcome): void {
  if (effect.kind === "index" || effect.run !== draft.run) return;
  const service = draft.service(effect.service);
  if (!service) return;
  if (outcome.ok && outcome.rollout) service.rollout = snapshotOf(outcome.rollout);
  const handle = { start: started, promote: promoted, abort: stopped }[effect.kind];
  handle(draft, service, outcome);
}
