// An apply of a config file's service as one ledger decision: the plan (apply-plan.ts), then its
// steps in order: a superseded rollout ends, the spec and the config of record are stored as one
// revision, and a rollout under the policy starts, recorded with the apply's author and reason.
// The release it went past before that one served is remembered as overtaken.
import type { ChangeResult } from "../../../schemas/api-responses.ts";
import type { ApplyPlan, ReleaseRef } from "../../../schemas/apply-plan.ts";
import type { ConfigDetail } from "../../../schemas/history.ts";
import type { ApplyCommand, Effect } from "../../../schemas/ledger.ts";
import { fail, ok, type Result } from "../../../schemas/result.ts";
import type { RolloutState } from "../../../schemas/rollout-state.ts";
import { keptTracksOf, type ServiceSpec } from "../../../schemas/service-spec.ts";
import { restoreMaskedSecrets } from "../config-readers.ts";
import { abortRollout } from "../rollout/commands.ts";
import { type Planned, planApply } from "./apply-plan.ts";
import { describePlan } from "./apply-words.ts";
import { checkBase, commitConfig, specOf } from "./config-changes.ts";
import { notifyEffects, rolloutDetail, rolloutText } from "./records.ts";
import { operate, start } from "./rollout-changes.ts";
import { recordOvertaken } from "./serving.ts";
import type { Decision, LedgerState } from "./state.ts";

type Change = Result<Decision<ChangeResult>>;
type Steps = Omit<Decision<unknown>, "reply">;

/** Two decisions as one: the second's state, everything both recorded, one publication. */
function chain(first: Steps, second: Steps): Steps {
  const effects = [...first.effects, ...second.effects];
  const lastPublish = effects.findLastIndex((e) => e.kind === "publish");
  const incident = second.incident ?? first.incident;
  return {
    state: second.state,
    revisions: [...first.revisions, ...second.revisions],
    events: [...first.events, ...second.events],
    // Only the newest publication matters: the registry keeps the highest sequence.
    effects: effects.filter((e, i) => e.kind !== "publish" || i === lastPublish),
    ...(incident ? { incident } : {}),
  };
}

/**
 * A rollout a newer release supersedes: it ends aborted, its reason in history, with no halt and
 * no incident (nothing failed; the candidate track goes straight to the next rollout).
 */
function supersede(state: LedgerState, reason: string, command: ApplyCommand, now: number): Steps {
  const aborted = abortRollout(state.rollout!, now);
  if (!aborted.ok) throw new Error(aborted.error.message);
  const ended: RolloutState = {
    ...aborted.value,
    lastVerdict: { ...aborted.value.lastVerdict!, reason },
  };
  const detail = rolloutDetail(ended);
  const text = rolloutText(state.name, "rollout.aborted", ended);
  return {
    state: { ...state, rollout: ended },
    revisions: [],
    events: [
      {
        type: "rollout.aborted",
        revision: state.revision,
        author: command.author ?? null,
        reason,
        detail,
      },
    ],
    effects: [...notifyEffects(state.config, "rollout.aborted", text, detail, now)] as Effect[],
  };
}

/**
 * What history records of an apply --force: forced, over what served, when the same apply without
 * --force is refused or plans otherwise (keeps a rolled-back release held). A --force that
 * changed nothing the plain apply would not have done records nothing.
 */
function forcedDetail(
  state: LedgerState,
  command: ApplyCommand,
  plan: Planned,
  carried: boolean,
): Partial<ConfigDetail> {
  if (command.force !== true) return {};
  const plain = planApply(state, { ...command, force: false }, carried);
  if (plain.ok && plain.value.outcome === plan.outcome) return {};
  const over: ReleaseRef | null = plan.serving;
  return over ? { forced: true, forcedOver: over } : { forced: true };
}

/**
 * The spec to store: a file that names no release and gives its release tracks no origin leaves
 * the release to deploys (apply --release, the deploy webhook), so the one last named stays.
 */
export function specToStore(state: LedgerState, spec: ServiceSpec): ServiceSpec {
  const named = specOf(state)?.release;
  if (spec.release || !named || keptTracksOf(spec).length === 0) return spec;
  return { ...spec, release: named };
}

export function apply(
  state: LedgerState,
  given: ApplyCommand,
  now: number,
  rolloutId = "apply",
): Change {
  // Read-token output applied again keeps the secrets it shows masked (and a reader's plan,
  // masked by the admin API, compares only what readers see).
  const restored = restoreMaskedSecrets(given.config, specOf(state));
  if (!restored.ok) return restored;
  const command = { ...given, config: specToStore(state, restored.value) };
  // The file names no release; the one the last deploy named is kept (specToStore).
  const carried = restored.value.release === undefined && command.config.release !== undefined;
  const base = checkBase(state, command.baseRevision);
  if (!base.ok) return base;
  if (command.config.name !== state.name)
    return fail(
      "invalid",
      `this is service "${state.name}", the config is "${command.config.name}"`,
      [{ path: "config.name", message: `must be "${state.name}"` }],
    );
  const planned = planApply(state, command, carried);
  if (!planned.ok) return planned;
  const plan = planned.value;
  let steps: Steps = { state, revisions: [], events: [], effects: [] };
  if (plan.end && (plan.start || plan.outcome === "release"))
    steps = supersede(state, plan.end, command, now);
  else if (plan.end) {
    const who = { author: command.author, reason: plan.end };
    const ended = operate(state, "rollout.abort", who, now);
    if (!ended.ok) return ended;
    steps = ended.value;
  }
  // A new service waiting for its first release (pending) stores nothing.
  if (plan.resolved) {
    const { config } = command;
    const kind = "config.applied";
    steps = chain(
      steps,
      commitConfig(
        steps.state,
        "apply",
        kind,
        plan.resolved,
        command,
        now,
        forcedDetail(state, command, plan, carried),
        config,
      ),
    );
  }
  const stored = steps.state.revision !== state.revision;
  if (plan.start) {
    const started = start(
      steps.state,
      { kind: "rollout.start", author: command.author, reason: command.reason },
      rolloutId,
      now,
    );
    if (!started.ok) return started;
    steps = chain(steps, started.value);
  }
  if (plan.overtakes && plan.desired) {
    const remembered = recordOvertaken(
      steps.state,
      plan.overtakes,
      plan.desired,
      steps.state.revision,
    );
    steps = { ...steps, state: remembered };
  }
  const release = plan.outcome === "release" ? (command.together?.release ?? null) : null;
  const words = describePlan(state, plan, stored ? steps.state.revision : null, release);
  const reply: ApplyPlan = {
    ...words,
    revision: stored,
    desired: plan.desired,
    serving: plan.serving,
    rolling: plan.rolling,
    rolloutId: plan.start ? rolloutId : null,
    release,
  };
  const changed = stored || steps.events.length > 0;
  return ok({
    ...steps,
    reply: { name: state.name, revision: steps.state.revision, changed, plan: reply },
  });
}
