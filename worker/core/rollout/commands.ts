// Operator commands on a rollout (start, promote, pause, resume, abort) as pure transitions.
// A refusal is tagged wrong_phase: the command does not fit where the rollout stands.
import { fail, ok, type Result } from "../../../schemas/result.ts";
import type { RolloutState, VerdictBody } from "../../../schemas/rollout-state.ts";
import type { Service } from "../../../schemas/service.ts";
import { PHASE_NAMES } from "./event-words.ts";
import { isRamping } from "./ramp.ts";
import { stepsOf } from "./steps.ts";

export type Transition = Result<RolloutState>;

function verdict(now: number, outcome: VerdictBody["outcome"], reason: string) {
  return { at: now, outcome, reason, candidate: null, baseline: null };
}

/** The candidate: named in the policy, the other colour for blue/green, or the only other version. */
export function candidateOf(config: Service): string | undefined {
  const rollout = config.rollout;
  if (rollout?.candidate) return rollout.candidate;
  return Object.keys(config.versions).find((name) => name !== config.baseline);
}

export function startRollout(config: Service, id: string, now: number): Transition {
  if (!config.rollout)
    return fail(
      "invalid",
      `service "${config.name}" has no rollout policy: add rollout: to its config`,
    );
  const candidate = candidateOf(config);
  if (!candidate) return fail("invalid", `service "${config.name}" has no candidate version`);
  const steps = stepsOf(config.rollout);
  const first = steps[0]!;
  const release = config.versions[candidate]?.release;
  return ok({
    id,
    phase: first.kind === "pause" ? "paused" : "progressing",
    strategy: config.rollout.strategy,
    candidate,
    ...(release ? { release } : {}),
    baseline: config.baseline,
    stepIndex: 0,
    stepCount: steps.length,
    weight: first.kind === "weight" ? first.weight : 0,
    startedAt: now,
    stepStartedAt: now,
    failures: 0,
    pausedBy: first.kind === "pause" ? "gate" : null,
    lastTickAt: 0,
    endedAt: null,
    lastVerdict: verdict(
      now,
      "started",
      `${config.rollout.strategy} rollout of ${candidate} started`,
    ),
  });
}

function promotedNow(state: RolloutState, now: number, reason: string): Transition {
  const lastVerdict = verdict(now, "promote", reason);
  return ok({
    ...state,
    phase: "promoted",
    weight: 100,
    endedAt: now,
    pausedBy: null,
    lastVerdict,
  });
}

const notRunning = (state: RolloutState) =>
  fail<RolloutState>("wrong_phase", `the rollout is ${PHASE_NAMES[state.phase]}, not in progress`);

/** Past a pause gate, or (with full) straight to promotion. */
export function promoteRollout(
  config: Service,
  state: RolloutState,
  now: number,
  full: boolean,
): Transition {
  if (state.phase !== "progressing" && state.phase !== "paused") return notRunning(state);
  const steps = stepsOf(config.rollout!);
  if (full) return promotedNow(state, now, "promoted by an operator (--full)");
  if (state.phase === "paused" && state.pausedBy !== "gate") {
    return fail(
      "wrong_phase",
      `the rollout was paused by ${state.pausedBy === "analysis" ? "failed analysis" : "an operator"}: use rollout resume, or promote --full`,
    );
  }
  // From a gate (or a running step): go to the next weight step now, skipping any bake left.
  let to = state.stepIndex + 1;
  while (steps[to]?.kind === "pause") to++;
  const next = steps[to];
  if (next?.kind !== "weight")
    return promotedNow(state, now, "promoted by an operator: no steps left");
  return ok({
    ...state,
    phase: "progressing",
    pausedBy: null,
    stepIndex: to,
    weight: next.weight,
    stepStartedAt: now,
    failures: 0,
    lastVerdict: verdict(
      now,
      "advance",
      `promoted by an operator to step ${to + 1} at ${next.weight}%`,
    ),
  });
}

export function pauseRollout(state: RolloutState, now: number): Transition {
  if (state.phase !== "progressing")
    return fail(
      "wrong_phase",
      `the rollout is ${PHASE_NAMES[state.phase]}: only a progressing rollout can be paused`,
    );
  return ok({
    ...state,
    phase: "paused",
    pausedBy: "operator",
    lastVerdict: verdict(now, "pause", "paused by an operator"),
  });
}

export function resumeRollout(state: RolloutState, now: number): Transition {
  if (state.phase !== "paused")
    return fail("wrong_phase", `the rollout is ${PHASE_NAMES[state.phase]}, not paused`);
  if (state.pausedBy === "gate")
    return fail("wrong_phase", "the rollout waits at a manual gate: use rollout promote");
  // A fresh window: figures from before the pause say nothing about the step as it resumes.
  return ok({
    ...state,
    phase: "progressing",
    pausedBy: null,
    stepStartedAt: now,
    failures: 0,
    lastVerdict: verdict(now, "resume", "resumed by an operator"),
  });
}

/** Ends a rollout, or cuts a ramping rollback short: all traffic to the baseline at once. */
export function abortRollout(state: RolloutState, now: number): Transition {
  if (state.phase !== "progressing" && state.phase !== "paused" && !isRamping(state))
    return notRunning(state);
  return ok({
    ...state,
    phase: "aborted",
    weight: 0,
    endedAt: now,
    pausedBy: null,
    lastVerdict: verdict(now, "abort", "aborted by an operator: all traffic to the baseline"),
  });
}
