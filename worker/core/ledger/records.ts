// The history events and outbox effects a decision leaves: typed details, notifications only to
// the targets that asked for the event, and the fast-abort halt and resume signals.
import type { HistoryEventType } from "../../../schemas/event-types.ts";
import { NotifyEvent } from "../../../schemas/event-types.ts";
import type { EventDetail, Promotion, RolloutDetail } from "../../../schemas/history.ts";
import type { Incident } from "../../../schemas/incident.ts";
import type { Effect } from "../../../schemas/ledger.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";

/** Where a rollout stands, for its history event (the event's own time stands for the verdict's). */
export function rolloutDetail(state: RolloutState, promotion?: Promotion): RolloutDetail {
  const verdict = state.lastVerdict;
  return {
    kind: "rollout",
    rolloutId: state.id,
    phase: state.phase,
    step: state.stepIndex + 1,
    weight: state.weight,
    verdict: verdict
      ? {
          outcome: verdict.outcome,
          reason: verdict.reason,
          candidate: verdict.candidate,
          baseline: verdict.baseline,
          ...(verdict.thresholdChecks ? { thresholdChecks: verdict.thresholdChecks } : {}),
          ...(verdict.judgement ? { judgement: verdict.judgement } : {}),
          ...(verdict.fromWeight === undefined ? {} : { fromWeight: verdict.fromWeight }),
        }
      : null,
    ...(promotion ? { promotion } : {}),
  };
}

/** After a promotion, which track serves the candidate's release now. */
export function promotionOf(concluded: Service, state: RolloutState): Promotion | undefined {
  if (state.phase !== "promoted") return undefined;
  const track = state.strategy === "blueGreen" ? state.candidate : state.baseline;
  const version = concluded.versions[track];
  if (!version) return undefined;
  return {
    track,
    release: version.release ?? null,
    origin: version.origin,
    from: state.candidate,
  };
}

/** A notification of the event to every target that subscribed to it; none when nobody did. */
export function notifyEffects(
  config: Service | null,
  type: HistoryEventType,
  text: string,
  detail: EventDetail | null,
  now: number,
  incident?: Incident,
): Effect[] {
  const event = NotifyEvent.safeParse(type);
  if (!config || !event.success) return [];
  const targets = config.notify
    .filter((n) => n.events.includes(event.data))
    .map(({ url, format }) => ({ url, format }));
  if (targets.length === 0) return [];
  return [
    {
      kind: "notify",
      service: config.name,
      event: event.data,
      text,
      targets,
      detail,
      at: now,
      ...(incident ? { incident } : {}),
    },
  ];
}

export function rolloutText(
  service: string,
  type: HistoryEventType,
  state: RolloutState,
  says = state.lastVerdict?.reason ?? state.phase,
): string {
  return `${service}: ${type.replace("rollout.", "rollout ")} — ${says}`;
}
