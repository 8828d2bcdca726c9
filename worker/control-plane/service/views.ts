// The views operators read of a service (its record, an apply previewed, its rollout's status),
// put together from the stored state by the pure core, with times as the wire sends them.
import type {
  ChangeResult,
  HaltStatus,
  RolloutStatus,
  ServiceRecord,
} from "../../../schemas/api-responses.ts";
import type { ReleaseRef, ServicePreview } from "../../../schemas/apply-plan.ts";
import type { Incident } from "../../../schemas/incident.ts";
import type { HaltRecord } from "../../../schemas/ledger.ts";
import type { Result } from "../../../schemas/result.ts";
import { isActive } from "../../../schemas/rollout-state.ts";
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
import { figuresWire, iso, rolloutWire, servingWire } from "./wire.ts";

/** The release the spec asks for, as a track serves it (null: it names none). */
function desiredOf(state: LedgerState): ReleaseRef | null {
  const release = specOf(state)?.release;
  return release ? { name: release.name, origin: release.origin } : null;
}

/** The service as the API shows it: what is served, the spec as applied, which release serves. */
export function recordView(state: LedgerState, updatedAt: number): ServiceRecord | null {
  if (!state.config) return null;
  return {
    name: state.config.name,
    revision: state.revision,
    updatedAt: iso(updatedAt),
    config: state.config,
    spec: specOf(state) ?? state.config,
    serving: servingWire(servingStateOf(state)),
    // config.split is the split of record; a rollout moves traffic without storing it there, and
    // `keystone get` showed stable=100 canary=0 while the canary took its step's share.
    split: effectiveConfig(state.config, state.rollout).split,
  };
}

/** An apply previewed: where the service stands, and the decision the apply would make. */
export function previewView(
  name: string,
  state: LedgerState,
  decided: Result<Decision<ChangeResult>>,
): ServicePreview {
  const where = { name, revision: state.revision, spec: state.config ? specOf(state) : null };
  if (!decided.ok) return { ...where, next: null, plan: null, refused: decided.error };
  const next = decided.value.state.spec ?? null;
  return { ...where, next, plan: decided.value.reply.plan ?? null, refused: null };
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

/** A rollout's status: state, weights, per-track releases, the step's figures, any halt, its next tick. */
export function statusView(
  state: LedgerState & { config: NonNullable<LedgerState["config"]> },
  windows: Windows | null,
  now: number,
  refreshBoundMs: number,
  incident: Incident | null = null,
  nextTickAt: number | null = null,
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
    candidate: windows ? figuresWire(windows.candidate) : null,
    baseline: windows ? figuresWire(windows.baseline) : null,
    stepBakeMs: step?.kind === "weight" ? step.bakeMs : null,
    halt: state.halt ? haltStatus(state.halt, now, refreshBoundMs) : null,
    incident: incident && { id: incident.id, summary: incident.summary },
    place: isActive(rollout) ? placeAt(steps, rollout.stepIndex) : null,
    noTraffic:
      rollout && windows
        ? noTrafficSentence(state.config, rollout, windows.candidate.requests, now)
        : null,
    nextTickAt: nextTickAt === null ? null : iso(Math.max(nextTickAt, now)),
    now: iso(now),
  };
}
