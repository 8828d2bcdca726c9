// A service's stored shapes as the API sends them: state keeps epoch-ms times, the wire ISO-8601,
// converted here, at the boundary (one converter per stored shape).
import type { RolloutStateWire, WindowFigures } from "../../../schemas/api-responses.ts";
import type { ServingState, ServingWire } from "../../../schemas/apply-plan.ts";
import type { Incident, IncidentWire } from "../../../schemas/incident.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import type { WindowStats } from "../../../schemas/stats.ts";
import type { RolloutVerdicts, VerdictEntry } from "../../../schemas/verdict-log.ts";

export const iso = (ms: number) => new Date(ms).toISOString();

/** Verdicts of the verdict log with ISO times. */
export function verdictsWire(
  service: string,
  judge: RolloutVerdicts["judge"],
  entries: VerdictEntry[],
): RolloutVerdicts {
  return {
    service,
    judge,
    verdicts: entries.map((entry) => ({
      ...entry,
      verdict: { ...entry.verdict, at: iso(entry.verdict.at) },
    })),
  };
}

export function rolloutWire({
  deadlineNotifiedAt,
  noTrafficNotifiedAt,
  ...state
}: RolloutState): RolloutStateWire {
  return {
    ...state,
    startedAt: iso(state.startedAt),
    stepStartedAt: iso(state.stepStartedAt),
    lastTickAt: state.lastTickAt === 0 ? null : iso(state.lastTickAt),
    endedAt: state.endedAt === null ? null : iso(state.endedAt),
    lastVerdict: state.lastVerdict ? { ...state.lastVerdict, at: iso(state.lastVerdict.at) } : null,
    ...(deadlineNotifiedAt === undefined ? {} : { deadlineNotifiedAt: iso(deadlineNotifiedAt) }),
    ...(noTrafficNotifiedAt === undefined ? {} : { noTrafficNotifiedAt: iso(noTrafficNotifiedAt) }),
  };
}

export function servingWire(serving: ServingState | null): ServingWire | null {
  return serving && { ...serving.current, at: iso(serving.current.at) };
}

export function incidentWire(incident: Incident): IncidentWire {
  const last = incident.lastCandidateRequest;
  return {
    ...incident,
    startedAt: iso(incident.startedAt),
    at: iso(incident.at),
    timeline: incident.timeline.map((moment) => ({ ...moment, at: iso(moment.at) })),
    lastCandidateRequest: last && {
      at: last.at === null ? null : iso(last.at),
      tracedAt: iso(last.tracedAt),
      settled: last.settled,
    },
  };
}

/** A window's figures with ISO times. */
export function figuresWire(stats: WindowStats): WindowFigures {
  const { requests, errors, errorRatePercent, p50, p95, p99 } = stats;
  return {
    requests,
    errors,
    errorRatePercent,
    p50,
    p95,
    p99,
    from: iso(stats.from),
    to: iso(stats.to),
  };
}
