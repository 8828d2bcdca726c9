// Builds the incident of a rollout that ended badly (rolled back or aborted) from what the ledger
// has: the service's config, the rollout's state before and after, and the rollout's history.
// Pure: the service object stores it; the last request to the candidate is traced afterwards.
import type { Incident, IncidentMoment } from "../../../schemas/incident.ts";
import type { Effect } from "../../../schemas/ledger.ts";
import type { RolloutState, ThresholdCheck } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";
import { EVENT_NAMES } from "../rollout/event-words.ts";
import { describeCheck } from "../rollout/threshold-checks.ts";
import type { LedgerEvent, LedgerState, PastEvent } from "./state.ts";

export interface IncidentInput {
  /** The service's incident count so far: the new one is the next number. */
  previous: number;
  config: Service;
  /** The rollout as it ran, and as it ended. */
  before: RolloutState;
  ended: RolloutState;
  /** The rollout's history, oldest first, including the event that ends it. */
  events: readonly PastEvent[];
}

const failedOf = (checks: ThresholdCheck[] | undefined) => (checks ?? []).filter((c) => !c.passed);

function moment(event: PastEvent, before: RolloutState): IncidentMoment | undefined {
  const detail = event.detail;
  if (detail?.kind !== "rollout" || detail.rolloutId !== before.id) return undefined;
  const fromWeight = detail.verdict?.fromWeight;
  return {
    at: event.at,
    event: event.type,
    step: detail.step,
    weight: detail.weight,
    ...(fromWeight === undefined ? {} : { fromWeight }),
    by: event.author,
    what: EVENT_NAMES[event.type],
    reason: event.reason,
    candidate: detail.verdict?.candidate ?? null,
    baseline: detail.verdict?.baseline ?? null,
    failedChecks: failedOf(detail.verdict?.thresholdChecks),
  };
}

/** The statistical judge's failed checks and the metrics of the deciding verdict, when it had any. */
function judgedChecks(ended: RolloutState): Pick<Incident, "failedJudgeChecks" | "metrics"> {
  const judgement = ended.lastVerdict?.judgement;
  const statistical = judgement?.statistical;
  const failed = statistical?.checks.filter((check) => check.outcome === "fail") ?? [];
  return {
    ...(statistical && failed.length > 0
      ? {
          failedJudgeChecks: {
            confidencePercent: statistical.confidencePercent,
            checks: failed,
          },
        }
      : {}),
    ...(judgement?.metrics?.length ? { metrics: judgement.metrics } : {}),
  };
}

function buildIncident({ previous, config, before, ended, events }: IncidentInput): Incident {
  const outcome = ended.phase === "aborted" ? "aborted" : "rolledBack";
  const candidate = config.versions[ended.candidate];
  // The release the rollout started with, as the report and the status page name it (states
  // stored before it was kept: the candidate track's).
  const release = ended.release ?? candidate?.release ?? null;
  const last = events.at(-1);
  const failedChecks = failedOf(ended.lastVerdict?.thresholdChecks);
  const actor =
    outcome === "aborted"
      ? { kind: "operator" as const, name: last?.author ?? null }
      : { kind: "analysis" as const, name: last?.author ?? "cron" };
  const reason =
    outcome === "aborted"
      ? (last?.reason ?? ended.lastVerdict?.reason ?? "aborted")
      : (ended.lastVerdict?.reason ?? "rolled back");
  const where = `step ${before.stepIndex + 1} of ${before.stepCount} (${before.weight}%)`;
  const what = `${ended.candidate}${release ? ` ${release}` : ""}`;
  const why = failedChecks.length > 0 ? failedChecks.map(describeCheck).join("; ") : reason;
  const summary =
    outcome === "aborted"
      ? `${config.name}: rollout of ${what} aborted by ${actor.name ?? "an operator"} at ${where}: ${reason}`
      : `${config.name}: rollout of ${what} rolled back at ${where}: ${why}`;
  return {
    id: String(previous + 1),
    service: config.name,
    rolloutId: ended.id,
    outcome,
    strategy: ended.strategy,
    candidate: {
      track: ended.candidate,
      release,
      origin: candidate?.origin ?? "",
    },
    baseline: {
      track: ended.baseline,
      release: config.versions[ended.baseline]?.release ?? null,
    },
    release,
    startedAt: ended.startedAt,
    at: ended.endedAt ?? last?.at ?? ended.lastTickAt,
    step: before.stepIndex + 1,
    stepCount: before.stepCount,
    weight: before.weight,
    actor,
    reason,
    failedChecks,
    ...judgedChecks(ended),
    summary,
    timeline: events.flatMap((event) => moment(event, before) ?? []),
    lastCandidateRequest: null,
  };
}

/** The hook commitRollout calls when a rollout ends badly: the incident and the state counting it. */
export function recordIncident(
  state: LedgerState & { config: Service; rollout: RolloutState },
  ended: RolloutState,
  event: LedgerEvent,
  now: number,
): { incident: Incident; counted: Partial<LedgerState> } {
  const previous = state.incidentCount ?? 0;
  const incident = buildIncident({
    previous,
    config: state.config,
    before: state.rollout,
    ended,
    events: [...(state.rolloutEvents ?? []), { ...event, at: now }],
  });
  return { incident, counted: { incidentCount: previous + 1 } };
}

/** The effect that reads when the candidate last got a request the rollout sent it. */
export function traceOf(incident: Incident): Effect {
  return {
    kind: "traceCandidate",
    service: incident.service,
    version: incident.candidate.track,
    rolloutId: incident.rolloutId,
    incidentId: incident.id,
    from: incident.startedAt,
  };
}
