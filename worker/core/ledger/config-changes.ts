// Changes to a service's config of record: weights, revert, delete, and the revision an apply
// stores (apply-changes.ts decides what an apply does). Each checks the base revision (optimistic
// concurrency) and the rollout's phase, stores a revision and publishes it.
import type { ChangeResult } from "../../../schemas/api-responses.ts";
import type { HistoryEventType } from "../../../schemas/event-types.ts";
import type { ConfigDetail } from "../../../schemas/history.ts";
import type { DeleteCommand, RevertCommand, WeightsCommand } from "../../../schemas/ledger.ts";
import { problemsOf } from "../../../schemas/problems.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import { isActive } from "../../../schemas/rollout-state.ts";
import { Service } from "../../../schemas/service.ts";
import type { ServiceSpec } from "../../../schemas/service-spec.ts";
import { forcedText } from "../rollout/event-words.ts";
import { isRamping } from "../rollout/ramp.ts";
import { notifyEffects } from "./records.ts";
import { recordServing } from "./serving.ts";
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

/** JSON with every object's keys sorted: the same value gives the same text, whatever its order. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
      : v,
  );
}

/** Same config (or spec), so no new revision: applying a file twice is a no-op. */
export function sameConfig(
  a: Service | ServiceSpec | null | undefined,
  b: Service | ServiceSpec | null,
): boolean {
  return a != null && b !== null && canonical(a) === canonical(b);
}

export const unchanged = (state: LedgerState): Decision<ChangeResult> => ({
  state,
  revisions: [],
  events: [],
  effects: [],
  reply: { name: state.name, revision: state.revision, changed: false },
});

/**
 * Stores `config` as a new revision (with the spec it came from: by default the spec stays),
 * records the event and publishes the result.
 */
export function commitConfig(
  state: LedgerState,
  kind: RevisionKind,
  type: HistoryEventType,
  config: Service | null,
  command: { author?: string | undefined; reason?: string | undefined },
  now: number,
  extra: Partial<ConfigDetail> = {},
  spec: ServiceSpec | null = specOf(state),
): Decision<ChangeResult> {
  const nextSpec = config === null ? null : spec;
  if (sameConfig(state.config, config) && sameConfig(specOf(state), nextSpec))
    return unchanged(state);
  const revision = state.revision + 1;
  const stored = {
    ...state,
    revision,
    config,
    spec: nextSpec,
    // A deleted service has no rollout: a service created anew under its name starts clean.
    rollout: config === null ? null : state.rollout,
  };
  const { state: published_, effect } = published(stored);
  const next = recordServing(
    state,
    published_,
    kind === "revert" ? "reverted" : "applied",
    null,
    now,
  );
  const detail: ConfigDetail | null = config
    ? { kind: "config", split: config.split, ...extra }
    : null;
  return {
    state: next,
    revisions: [{ number: revision, kind, config, spec: nextSpec }],
    events: [{ type, revision, ...attribution(command), detail }],
    effects: [
      effect,
      ...notifyEffects(
        config,
        "config.applied",
        `${state.name}: revision ${revision} (${[kind, forcedText(detail)].filter(Boolean).join(", ")})`,
        detail,
        now,
      ),
    ],
    reply: { name: state.name, revision, changed: true },
  };
}

/** The spec of record: as applied, or the config itself for one stored before specs were kept. */
export function specOf(state: LedgerState): ServiceSpec | null {
  return state.spec === undefined ? state.config : state.spec;
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
export const rampRefusal = (name: string) =>
  fail<never>(
    "wrong_phase",
    `a rollback of "${name}" is returning its traffic over a ramp: wait for it, or end it now with keystone rollout abort ${name}`,
  );

export function setWeights(state: LedgerState, command: WeightsCommand, now: number): Change {
  const refused = refusal(
    state,
    command.baseRevision,
    // Not "pause and promote": a paused rollout still owns the weights, and an agent (or a
    // person) told to pause tried the weights again and was refused again.
    "it controls the weights until it ends (a full promotion ends it now)",
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
    commitConfig(
      state,
      "revert",
      "config.reverted",
      target.config,
      command,
      now,
      { restored: target.number },
      target.spec ?? target.config,
    ),
  );
}

export function remove(state: LedgerState, command: DeleteCommand, now: number): Change {
  const refused = refusal(state, command.baseRevision, "let it end");
  if (refused) return refused;
  return ok(commitConfig(state, "delete", "service.deleted", null, command, now));
}
