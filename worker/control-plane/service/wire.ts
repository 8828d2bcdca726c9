// State as the API sends it: epoch-ms times become ISO-8601 here, at the boundary, and the views
// operators read (record, rollout status) are put together from the stored state.
import type {
  ChangeResult,
  HaltStatus,
  RolloutStateWire,
  RolloutStatus,
  ServiceRecord,
  WindowFigures,
} from "../../../schemas/api-responses.ts";
import type {
  ReleaseRef,
  ServicePreview,
  ServingState,
  ServingWire,
} from "../../../schemas/apply-plan.ts";
import type { Incident, IncidentWire } from "../../../schemas/incident.ts";
import type { HaltRecord } from "../../../schemas/ledger.ts";
import type { Result } from "../../../schemas/result.ts";
import { isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import type { WindowStats } from "../../../schemas/stats.ts";
import type { RolloutVerdicts, VerdictEntry } from "../../../schemas/verdict-log.ts";
import { countedRoutes } from "../../core/ledger/analysis-routes.ts";
import { specOf } from "../../core/ledger/config-changes.ts";
import { promotionOf } from "../../core/ledger/records.ts";
import { servingStateOf } from "../../core/ledger/serving.ts";
import type { Decision, LedgerState } from "../../core/ledger/state.ts";
import { haltHoldsUntil, tracksOf } from "../../core/ledger/status.ts";
import type { Windows } from "../../core/ledger/tick.ts";
import { effectiveConfig } from "../../core/rollout/effective.ts";
import { noTrafficSentence } from "../../core/rollout/eligible-traffic.ts";
import { placeAt, stepsOf } from "../../core/rollout/steps.ts";

const iso = (ms: number) => new Date(ms).toISOString();

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

/** The release the spec asks for, as a track serves it (null: it names none). */
function desiredOf(state: LedgerState): ReleaseRef | null {
  const release = specOf(state)?.release;
  return release ? { name: release.name, origin: release.origin } : null;
}

/** The service as the API shows it: what is served, the spec as applied, which release serves. */
export function recordWire(state: LedgerState, updatedAt: number): ServiceRecord | null {
  if (!state.config) return null;
  return {
    name: state.config.name,
    revision: state.revision,
    updatedAt: iso(updatedAt),
    config: state.config,
    spec: specOf(state) ?? state.config,
    serving: servingWire(servingStateOf(state)),
  };
}

/** An apply previewed: where the service stands, and the decision the apply would make. */
export function previewWire(
  name: string,
  state: LedgerState,
  decided: Result<Decision<ChangeResult>>,
): ServicePreview {
  const where = { name, revision: state.revision, spec: state.config ? specOf(state) : null };
  if (!decided.ok) return { ...where, next: null, plan: null, refused: decided.error };
  const next = decided.value.state.spec ?? null;
  return { ...where, next, plan: decided.value.reply.plan ?? null, refused: null };
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

function figures(stats: WindowStats): WindowFigures {
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

function haltStatus(halt: HaltRecord, now: number, boundMs: number): HaltStatus {
  const until = haltHoldsUntil(halt, boundMs);
  return {
    rolloutId: halt.rolloutId,
    version: halt.version,
    sequence: halt.sequence,
    since: iso(halt.since),
    acknowledgedAt: halt.acknowledgedAt === null ? null : iso(halt.acknowledgedAt),
    until: until === null ? null : iso(until),
    mayHold: until === null || now < until,
  };
}

/** A rollout's status: state, weights, per-track releases, the step's figures, any halt. */
export function statusView(
  state: LedgerState & { config: NonNullable<LedgerState["config"]> },
  windows: Windows | null,
  now: number,
  refreshBoundMs: number,
  incident: Incident | null = null,
): RolloutStatus {
  const rollout = state.rollout;
  const effective = effectiveConfig(state.config, rollout);
  const steps = rollout && state.config.rollout ? stepsOf(state.config.rollout) : [];
  const step = rollout ? steps[rollout.stepIndex] : undefined;
  return {
    state: rollout ? rolloutWire(rollout) : null,
    split: effective.split,
    tracks: tracksOf(effective),
    promotion: rollout ? (promotionOf(state.config, rollout) ?? null) : null,
    desired: desiredOf(state),
    serving: servingWire(servingStateOf(state)),
    countedRoutes: isActive(rollout) ? countedRoutes(state.config, rollout) : null,
    candidate: windows ? figures(windows.candidate) : null,
    baseline: windows ? figures(windows.baseline) : null,
    stepBakeMs: step?.kind === "weight" ? step.bakeMs : null,
    halt: state.halt ? haltStatus(state.halt, now, refreshBoundMs) : null,
    incident: incident && { id: incident.id, summary: incident.summary },
    place: isActive(rollout) ? placeAt(steps, rollout.stepIndex) : null,
    noTraffic:
      rollout && windows
        ? noTrafficSentence(state.config, rollout, windows.candidate.requests, now)
        : null,
    now: iso(now),
  };
}
