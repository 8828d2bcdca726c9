// What the ledger decides over: a service's config of record and its head, and what a decision
// returns (the new state, new revisions, history events, effects for the outbox, a reply).
import type { ServingState } from "../../../schemas/apply-plan.ts";
import type { HistoryEventType } from "../../../schemas/event-types.ts";
import type { EventDetail } from "../../../schemas/history.ts";
import type { Incident } from "../../../schemas/incident.ts";
import type { Effect, HaltRecord, Publication } from "../../../schemas/ledger.ts";
import type { LiveRouting } from "../../../schemas/live-routing.ts";
import { isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";
import type { ServiceSpec } from "../../../schemas/service-spec.ts";
import { effectiveConfig } from "../rollout/effective.ts";
import { isRamping } from "../rollout/ramp.ts";
import { liveRoutingOf } from "./live-routing.ts";

/** `live` only when there is something to say, so publications before any rollout stay as they were. */
const withLive = (live: LiveRouting | undefined) => (live ? { live } : {});

export interface LedgerState {
  name: string;
  /** The latest revision (0: none yet). */
  revision: number;
  /** The config of record (what is served, outside a rollout's split); null before the first revision or after a delete. */
  config: Service | null;
  /**
   * The service as its config file was last applied (`get -o yaml`); absent: the same as
   * `config` (revisions stored before specs were kept).
   */
  spec?: ServiceSpec | null;
  /** Which release serves and which served before; absent: derived from `config`. */
  serving?: ServingState | null;
  /** The last publication sequence issued. */
  sequence: number;
  /** The highest sequence the registry acknowledged. */
  acknowledged: number;
  rollout: RolloutState | null;
  halt: HaltRecord | null;
  /** The running rollout's history, oldest first (for its incident, should it end badly). */
  rolloutEvents?: readonly PastEvent[];
  /** How many incidents the service has recorded (the next one gets the next number). */
  incidentCount?: number;
}

export type RevisionKind = "apply" | "weights" | "revert" | "delete" | "rollout";

/** A stored revision: what `revert` restores. */
export interface StoredRevision {
  number: number;
  kind: string;
  /** Null for a revision that deleted the service. */
  config: Service | null;
  /** The spec applied with it; absent: the same as `config`. */
  spec?: ServiceSpec | null;
}

export interface NewRevision extends StoredRevision {
  kind: RevisionKind;
}

export interface LedgerEvent {
  type: HistoryEventType;
  revision: number | null;
  author: string | null;
  reason: string | null;
  detail: EventDetail | null;
  /**
   * When the decision was taken (a rollout's: its verdict's time, the cron's scheduled time for a
   * tick), so history and the verdict log tell the same time; absent: when it is stored.
   */
  at?: number;
}

/** A stored history event, as the ledger is given the running rollout's (epoch-ms time). */
export interface PastEvent extends LedgerEvent {
  at: number;
}

export interface Decision<R> {
  state: LedgerState;
  revisions: NewRevision[];
  events: LedgerEvent[];
  effects: Effect[];
  reply: R;
  /** A rollout that ended badly: its incident, stored with the decision. */
  incident?: Incident;
}

export function emptyState(name: string): LedgerState {
  return {
    name,
    revision: 0,
    config: null,
    sequence: 0,
    acknowledged: 0,
    rollout: null,
    halt: null,
  };
}

/** What the data plane should serve now, with the next sequence. */
function publicationOf(state: LedgerState, sequence: number): Publication {
  return {
    service: state.name,
    sequence,
    config: state.config ? effectiveConfig(state.config, state.rollout) : null,
    rolloutActive: isActive(state.rollout) || isRamping(state.rollout),
    ...withLive(liveRoutingOf(state.config, state.rollout)),
  };
}

/** The state with its routing published under a new sequence, and the effect that does it. */
export function published(state: LedgerState): { state: LedgerState; effect: Effect } {
  const sequence = state.sequence + 1;
  const next = { ...state, sequence };
  return { state: next, effect: { kind: "publish", publication: publicationOf(next, sequence) } };
}

export function attribution(command: { author?: string | undefined; reason?: string | undefined }) {
  return { author: command.author ?? null, reason: command.reason ?? null };
}
