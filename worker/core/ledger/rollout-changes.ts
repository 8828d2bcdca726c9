// Rollout commands (start, promote, pause, resume, abort) and what every rollout decision stores:
// the new state, its event, the publication, and on a bad end the fast-abort halt.
import type { HistoryEventType } from "../../../schemas/event-types.ts";
import type { Incident } from "../../../schemas/incident.ts";
import type { Effect, RolloutStartCommand } from "../../../schemas/ledger.ts";
import { problemsOf } from "../../../schemas/problems.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import { Analysis } from "../../../schemas/rollout.ts";
import { endedBadly, isActive, type RolloutState } from "../../../schemas/rollout-state.ts";
import { Service } from "../../../schemas/service.ts";
import {
  abortRollout,
  candidateOf,
  pauseRollout,
  promoteRollout,
  resumeRollout,
  startRollout,
  type Transition,
} from "../rollout/commands.ts";
import { concludedConfig } from "../rollout/effective.ts";
import { isRamping } from "../rollout/ramp.ts";
import { sameConfig, specOf } from "./config-changes.ts";
import { recordIncident, traceOf } from "./incident.ts";
import { notifyEffects, promotionOf, rolloutDetail, rolloutText } from "./records.ts";
import { heldFrom, holdForRelease, onBehalf, releaseRefusal } from "./release-hold.ts";
import {
  behind,
  labelOf,
  leftBehind,
  recordServing,
  refOf,
  sameRelease,
  servedSince,
  servingRef,
} from "./serving.ts";
import {
  attribution,
  type Decision,
  type LedgerEvent,
  type LedgerState,
  type NewRevision,
  published,
} from "./state.ts";

type Attribution = {
  author?: string | undefined;
  reason?: string | undefined;
  /** What the notification says after the event's name, instead of the verdict's reason. */
  says?: string | undefined;
};
export type RolloutAction =
  | "rollout.promote"
  | "rollout.pause"
  | "rollout.resume"
  | "rollout.abort";

/**
 * Stores a rollout's new state. An ended rollout writes the concluded config as a revision; a
 * change of routing is published; a bad end also halts the candidate in every isolate until the
 * publication that carries the rollback reaches them.
 */
export function commitRollout(
  state: LedgerState,
  decided: RolloutState,
  type: HistoryEventType | undefined,
  who: Attribution,
  now: number,
  publish = true,
): Decision<RolloutState> {
  const next = withFromWeight(state.rollout, decided);
  let after: LedgerState = { ...state, rollout: next };
  const revisions: NewRevision[] = [];
  const ended = !isActive(next) && isActive(state.rollout);
  if (ended && state.config) {
    const concluded = concludedConfig(state.config, next);
    after = { ...after, revision: state.revision + 1, config: concluded };
    revisions.push({
      number: after.revision,
      kind: "rollout",
      config: concluded,
      spec: specOf(state),
    });
    after = recordServing(state, after, "promoted", next.id, now);
  }
  const effects: Effect[] = [];
  if (publish || ended) {
    const publication = published(after);
    after = publication.state;
    effects.push(publication.effect);
  }
  // A bad end halts the candidate in every isolate at once; a ramped rollback only when its ramp
  // ends or an operator cuts it short, so the ramp's shares are served until then.
  const ramped = isRamping(state.rollout);
  if ((ended || ramped) && endedBadly(next) && !isRamping(next)) {
    const signal = { rolloutId: next.id, sequence: after.sequence };
    effects.push({ kind: "halt" as const, service: state.name, version: next.candidate, signal });
    after = {
      ...after,
      halt: { ...signal, version: next.candidate, since: now, acknowledgedAt: null },
    };
  }
  const events: LedgerEvent[] = [];
  let incident: Incident | undefined;
  if (type) {
    const promotion = after.config ? promotionOf(after.config, next) : undefined;
    const detail = rolloutDetail(next, promotion);
    const who2 = attribution(who);
    const event = {
      type,
      revision: after.revision,
      ...who2,
      reason: who2.reason ?? next.lastVerdict?.reason ?? null,
      detail,
      at: now,
    };
    events.push(event);
    if (ended && endedBadly(next) && state.config && state.rollout) {
      const rollout = { ...state, config: state.config, rollout: state.rollout };
      const recorded = recordIncident(rollout, next, event, now);
      incident = recorded.incident;
      after = { ...after, ...recorded.counted };
    }
    const text = rolloutText(state.name, type, next, who.says);
    effects.push(...notifyEffects(after.config, type, text, detail, now, incident));
    if (incident) effects.push(traceOf(incident));
  }
  return {
    state: after,
    revisions,
    events,
    effects,
    reply: next,
    ...(incident ? { incident } : {}),
  };
}

/** An operator's --reason goes into the verdict it made too: explain and status tell it as history does. */
function withOperatorReason(state: RolloutState, reason: string | undefined): RolloutState {
  const verdict = state.lastVerdict;
  if (!reason || !verdict) return state;
  return { ...state, lastVerdict: { ...verdict, reason: `${verdict.reason} — ${reason}` } };
}

/**
 * A new verdict keeps the candidate's weight it was decided at, so history, the verdict log and
 * incidents can all tell the move ("25% → 0%"); a rollout's first verdict has no weight before.
 */
function withFromWeight(before: RolloutState | null, next: RolloutState): RolloutState {
  const verdict = next.lastVerdict;
  if (!verdict || !before || before.id !== next.id || verdict === before.lastVerdict) return next;
  if (verdict.fromWeight !== undefined) return next;
  return { ...next, lastVerdict: { ...verdict, fromWeight: before.weight } };
}

/** The config a rollout starts from: the candidate's new origin and release, and strategy, if given. */
export function prepareRollout(config: Service, command: RolloutStartCommand): Result<Service> {
  if (!config.rollout && !command.strategy)
    return fail(
      "invalid",
      `service "${config.name}" has no rollout policy: add rollout: to its config`,
    );
  const rollout = config.rollout ?? {
    strategy: command.strategy!,
    analysis: Analysis.parse({}),
    onFailure: "rollback" as const,
  };
  const candidateName = candidateOf({ ...config, rollout });
  const candidate = candidateName ? config.versions[candidateName] : undefined;
  const next = {
    ...config,
    rollout: { ...rollout, strategy: command.strategy ?? rollout.strategy },
    versions:
      candidate && candidateName
        ? {
            ...config.versions,
            [candidateName]: {
              ...candidate,
              origin: command.origin ?? candidate.origin,
              // A new origin without --release is another build: the old label would name the
              // wrong release in x-keystone-release, in history and in what the ledger
              // remembers as served, and a file naming that label would read as "behind" itself.
              release:
                command.release ??
                (command.origin !== undefined && command.origin !== candidate.origin
                  ? undefined
                  : candidate.release),
            },
          }
        : config.versions,
  };
  const parsed = Service.safeParse(next);
  return parsed.success
    ? ok(parsed.data)
    : fail("invalid", "the rollout does not fit the service", problemsOf(parsed.error));
}

/**
 * A release's start (a release file, run by a pipeline or the deploy hook) toward a release behind
 * the one serving: refused, as an apply of a file naming it is. A pipeline's old job run again
 * (release v2.0.0 after v3.0.0 promoted) otherwise rolled the service back toward v2.0.0 and, on
 * healthy figures, promoted it. The release the service's file asks for passes: its apply checked
 * it (or was forced), and so does a release started with --force (a rollback on purpose).
 * `keystone rollout start` by a person is not a release's and is not checked.
 */
function releaseGoesBack(
  state: LedgerState,
  config: Service,
  release: string,
): Result<never> | undefined {
  const candidate = candidateOf(config);
  const track = candidate ? config.versions[candidate] : undefined;
  const serving = servingRef(state.config);
  if (!track || !serving) return undefined;
  const to = refOf(track);
  const asked = specOf(state)?.release;
  if (asked && sameRelease(to, { name: asked.name, origin: asked.origin })) return undefined;
  if (!behind(to, serving, leftBehind(state))) return undefined;
  return fail(
    "stale_release",
    `service "${state.name}": release "${release}" would roll out ${labelOf(to)} while ${labelOf(serving)} serves${servedSince(state)}`,
    [
      {
        path: "fix",
        message: `name a release newer than ${labelOf(serving)} in the release file, or go back on purpose: keystone release start -f <file> --force`,
      },
    ],
  );
}

export function start(
  state: LedgerState,
  command: RolloutStartCommand,
  rolloutId: string,
  now: number,
): Result<Decision<RolloutState>> {
  if (!state.config) return fail("not_found", `service "${state.name}" does not exist`);
  const current = state.rollout;
  if (isRamping(current))
    return fail(
      "wrong_phase",
      `the rollback of "${current.candidate}" is still returning its traffic (${current.weight}% left): wait for the ramp, or end it now with keystone rollout abort ${state.name}`,
    );
  if (isActive(current))
    return fail(
      "wrong_phase",
      `a rollout of "${current.candidate}" is already ${current.phase} (step ${current.stepIndex + 1} of ${current.stepCount})`,
    );
  const config = prepareRollout(state.config, command);
  if (!config.ok) return config;
  if (command.heldBy && !command.force) {
    const goesBack = releaseGoesBack(state, config.value, command.heldBy.release);
    if (goesBack) return goesBack;
  }
  const made = heldFrom(startRollout(config.value, rolloutId, now), command.heldBy);
  if (!made.ok) return made;
  const started = { ...made, value: withOperatorReason(made.value, command.reason) };
  let base: LedgerState = { ...state, halt: null };
  const revisions: NewRevision[] = [];
  const events: LedgerEvent[] = [];
  if (!sameConfig(state.config, config.value)) {
    base = { ...base, revision: state.revision + 1, config: config.value };
    revisions.push({
      number: base.revision,
      kind: "rollout",
      config: config.value,
      spec: specOf(state),
    });
    const { origin, release } = config.value.versions[started.value.candidate]!;
    const candidate = release ? `${started.value.candidate} ${release}` : started.value.candidate;
    events.push({
      type: "config.applied",
      revision: base.revision,
      author: command.author ?? null,
      reason: command.reason ?? `rollout start: ${candidate} → ${origin}`,
      detail: { kind: "config", split: config.value.split },
    });
  }
  const committed = commitRollout(base, started.value, "rollout.started", command, now);
  // The stats object of the last rollout that ended badly forgets its halt: that rollout's id.
  const halt = state.halt;
  const resume = halt
    ? [
        {
          kind: "resume" as const,
          service: state.name,
          version: halt.version,
          rolloutId: halt.rolloutId,
        },
      ]
    : [];
  return ok({
    ...committed,
    revisions: [...revisions, ...committed.revisions],
    events: [...events, ...committed.events],
    effects: [...resume, ...committed.effects],
  });
}

export function operate(
  state: LedgerState,
  action: RolloutAction,
  command: Attribution & { full?: boolean | undefined; onBehalfOf?: string | undefined },
  now: number,
): Result<Decision<RolloutState>> {
  if (!state.config) return fail("not_found", `service "${state.name}" does not exist`);
  const rollout = state.rollout;
  if (!rollout)
    return fail(
      "wrong_phase",
      state.config?.rollout
        ? `service "${state.name}" has no rollout: start one with keystone rollout start ${state.name}`
        : `service "${state.name}" has no rollout, and no rollout policy to start one: add rollout: to its config`,
    );
  const transitions: Record<RolloutAction, () => Transition> = {
    "rollout.promote": () => promoteRollout(state.config!, rollout, now, command.full === true),
    "rollout.pause": () => pauseRollout(rollout, now),
    "rollout.resume": () => resumeRollout(rollout, now),
    "rollout.abort": () => abortRollout(rollout, now),
  };
  const refusal = releaseRefusal(rollout, action, command);
  if (refusal) return refusal;
  const moved = transitions[action]();
  if (!moved.ok) return moved;
  const next = {
    ...moved,
    value: withOperatorReason(
      onBehalf(holdForRelease(rollout, moved.value, command.onBehalfOf), command.onBehalfOf),
      command.reason,
    ),
  };
  const type: HistoryEventType =
    action === "rollout.promote"
      ? next.value.phase === "promoted"
        ? "rollout.promoted"
        : next.value.pausedBy === "release"
          ? "rollout.paused"
          : "rollout.advanced"
      : action === "rollout.pause"
        ? "rollout.paused"
        : action === "rollout.resume"
          ? "rollout.resumed"
          : "rollout.aborted";
  return ok(commitRollout(state, next.value, type, command, now));
}
