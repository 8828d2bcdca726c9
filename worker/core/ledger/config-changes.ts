// Changes to a service's config of record: apply, weights, revert, delete. Each checks the base
// revision (optimistic concurrency) and the rollout's phase, stores a revision and publishes it.
import type { ChangeResult } from "../../../schemas/api-responses.ts";
import type { HistoryEventType } from "../../../schemas/event-types.ts";
import type { ConfigDetail } from "../../../schemas/history.ts";
import type {
  ApplyCommand,
  DeleteCommand,
  RevertCommand,
  WeightsCommand,
} from "../../../schemas/ledger.ts";
import { problemsOf } from "../../../schemas/problems.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import { isActive } from "../../../schemas/rollout-state.ts";
import { Service } from "../../../schemas/service.ts";
import { isRamping } from "../rollout/ramp.ts";
import { notifyEffects } from "./records.ts";
import {
  attribution,
  type Decision,
  type LedgerState,
  published,
  type RevisionKind,
  type StoredRevision,
} from "./state.ts";

type Change = Result<Decision<ChangeResult>>;

/**
 * A change based on anything but the latest revision is refused. A service that does not exist
 * (never created, or deleted) is at "revision 0" to a client that reads it, so 0 is accepted.
 */
export function checkBase(state: LedgerState, base: number | undefined): Result<void> {
  if (base === undefined || base === state.revision) return ok(undefined);
  if (state.config === null && base === 0) return ok(undefined);
  return fail(
    "conflict",
    `service "${state.name}" is at revision ${state.revision}, but the change was based on revision ${base}: read it again and retry`,
  );
}

/** Same config, so no new revision: applying a file twice is a no-op. */
export function sameConfig(a: Service | null | undefined, b: Service | null): boolean {
  return a != null && b !== null && JSON.stringify(a) === JSON.stringify(b);
}

const unchanged = (state: LedgerState): Decision<ChangeResult> => ({
  state,
  revisions: [],
  events: [],
  effects: [],
  reply: { name: state.name, revision: state.revision, changed: false },
});

/** Stores `config` as a new revision, records the event and publishes the result. */
function commitConfig(
  state: LedgerState,
  kind: RevisionKind,
  type: HistoryEventType,
  config: Service | null,
  command: { author?: string | undefined; reason?: string | undefined },
  now: number,
  extra: Partial<ConfigDetail> = {},
): Decision<ChangeResult> {
  if (sameConfig(state.config, config)) return unchanged(state);
  const revision = state.revision + 1;
  const stored = {
    ...state,
    revision,
    config,
    // A deleted service has no rollout: a service created anew under its name starts clean.
    rollout: config === null ? null : state.rollout,
  };
  const { state: next, effect } = published(stored);
  const detail: ConfigDetail | null = config
    ? { kind: "config", split: config.split, ...extra }
    : null;
  return {
    state: next,
    revisions: [{ number: revision, kind, config }],
    events: [{ type, revision, ...attribution(command), detail }],
    effects: [
      effect,
      ...notifyEffects(
        config,
        "config.applied",
        `${state.name}: revision ${revision} (${kind})`,
        detail,
        now,
      ),
    ],
    reply: { name: state.name, revision, changed: true },
  };
}

/** Why a change may not be made now: the service is missing, a rollout runs, the base is stale. */
function refusal(
  state: LedgerState,
  base: number | undefined,
  during: string,
  needsService = true,
): Result<never> | undefined {
  if (needsService && !state.config)
    return fail("not_found", `service "${state.name}" does not exist`);
  if (isActive(state.rollout))
    return fail(
      "wrong_phase",
      `a rollout of "${state.name}" is ${state.rollout.phase}: ${during}, or abort it first`,
    );
  if (isRamping(state.rollout)) return rampRefusal(state.name);
  const checked = checkBase(state, base);
  return checked.ok ? undefined : checked;
}

/** A ramping rollback owns the weights until its ramp ends. */
const rampRefusal = (name: string) =>
  fail<never>(
    "wrong_phase",
    `a rollback of "${name}" is returning its traffic over a ramp: wait for it, or end it now with keystone rollout abort ${name}`,
  );

export function apply(state: LedgerState, command: ApplyCommand, now: number): Change {
  const base = checkBase(state, command.baseRevision);
  if (!base.ok) return base;
  if (command.config.name !== state.name)
    return fail(
      "invalid",
      `this is service "${state.name}", the config is "${command.config.name}"`,
      [{ path: "config.name", message: `must be "${state.name}"` }],
    );
  const rollout = state.rollout;
  const next = command.config;
  if (isRamping(rollout) && (!next.versions[rollout.candidate] || !next.versions[rollout.baseline]))
    return rampRefusal(state.name);
  if (
    isActive(rollout) &&
    (!next.versions[rollout.candidate] ||
      !next.versions[rollout.baseline] ||
      next.rollout?.strategy !== rollout.strategy)
  )
    return fail(
      "wrong_phase",
      `a ${rollout.strategy} rollout of "${rollout.candidate}" is in progress: keep versions ${rollout.baseline} and ${rollout.candidate} and its rollout policy, or abort it first`,
    );
  return ok(commitConfig(state, "apply", "config.applied", command.config, command, now));
}

export function setWeights(state: LedgerState, command: WeightsCommand, now: number): Change {
  const refused = refusal(
    state,
    command.baseRevision,
    "it controls the weights; pause and promote",
  );
  if (refused) return refused;
  const parsed = Service.safeParse({ ...state.config!, split: command.split });
  if (!parsed.success)
    return fail("invalid", "the new weights do not fit the service", problemsOf(parsed.error));
  return ok(commitConfig(state, "weights", "weights.changed", parsed.data, command, now));
}

export function revert(
  state: LedgerState,
  command: RevertCommand,
  target: StoredRevision | undefined,
  now: number,
): Change {
  const refused = refusal(state, command.baseRevision, "let it end", false);
  if (refused) return refused;
  if (!target) return fail("not_found", `service "${state.name}" has no revision ${command.to}`);
  if (!target.config)
    return fail(
      "invalid",
      `revision ${target.number} of "${state.name}" deleted the service; pick another`,
    );
  return ok(
    commitConfig(state, "revert", "config.reverted", target.config, command, now, {
      restored: target.number,
    }),
  );
}

export function remove(state: LedgerState, command: DeleteCommand, now: number): Change {
  const refused = refusal(state, command.baseRevision, "let it end");
  if (refused) return refused;
  return ok(commitConfig(state, "delete", "service.deleted", null, command, now));
}
