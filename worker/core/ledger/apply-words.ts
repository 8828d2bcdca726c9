// An apply's plan in words, as `keystone diff` predicts it ("would start a canary toward v3 (3
// steps, statistical judge)") and `keystone apply` reports it ("started a canary toward v3").
// Both come from the one plan, so the diff cannot say something the apply does not do.
import type { PlanOutcome, ReleaseRef } from "../../../schemas/apply-plan.ts";
import type { Rollout } from "../../../schemas/rollout.ts";
import { isActive } from "../../../schemas/rollout-state.ts";
import { isRamping } from "../rollout/ramp.ts";
import { stepsOf } from "../rollout/steps.ts";
import type { Planned } from "./apply-plan.ts";
import { labelOf, servedSince } from "./serving.ts";
import type { LedgerState } from "./state.ts";

export interface PlanWords {
  outcome: PlanOutcome;
  words: string;
  done: string;
}

const KIND: Record<Rollout["strategy"], string> = {
  canary: "canary",
  linear: "linear rollout",
  blueGreen: "blue/green switch",
};

/** "a canary toward v3 (3 steps, statistical judge)" */
function rolloutWords(policy: Rollout, target: ReleaseRef): string {
  const steps = stepsOf(policy).length;
  const judge = policy.analysis.judge ?? "threshold";
  return `a ${KIND[policy.strategy]} toward ${labelOf(target)} (${steps} step${steps === 1 ? "" : "s"}, ${judge} judge)`;
}

/** What keeps serving when the apply moves no traffic. */
function trafficKept(state: LedgerState, planned: Planned): string {
  const rollout = state.rollout;
  if (isActive(rollout) && planned.rolling && rollout.strategy in KIND) {
    // A paused rollout stays paused: "runs" would tell a pipeline it is on its way to a verdict.
    const how = rollout.phase === "paused" ? "is paused" : "runs";
    return `the ${KIND[rollout.strategy]} toward ${labelOf(planned.rolling)} ${how} (step ${rollout.stepIndex + 1} of ${rollout.stepCount} at ${rollout.weight} %), left alone`;
  }
  if (isRamping(rollout))
    return `the rollback of ${rollout.candidate} is returning its traffic, left alone`;
  const serving = planned.serving ? `${labelOf(planned.serving)} serving${servedSince(state)}` : "";
  return planned.desired ? serving : `${serving}; the file names no release`;
}

export function describePlan(
  state: LedgerState,
  planned: Planned,
  revision: number | null,
  release: string | null,
): PlanWords {
  const { desired, rolling, resolved } = planned;
  const target = desired ? labelOf(desired) : "";
  const policy = resolved?.rollout;
  switch (planned.outcome) {
    case "pending": {
      const words = `not created yet: the file names no release for ${state.name} (its first deploy names one: apply --release, or release: in the file)`;
      return { outcome: "pending", words, done: words };
    }
    case "create":
      return {
        outcome: "create",
        words: `would create ${state.name} serving ${target}`,
        done: `created ${state.name}, serving ${target}`,
      };
    case "keep": {
      const kept = trafficKept(state, planned);
      if (revision === null)
        return { outcome: "unchanged", words: `no change (${kept})`, done: `no change (${kept})` };
      // The release serving stays, but a new split in the file does move traffic: say so.
      const traffic = splitMoved(state, planned) ?? "traffic unchanged";
      return {
        outcome: "update",
        words: `would store revision ${revision}, ${traffic} (${kept})`,
        done: `${traffic} (${kept})`,
      };
    }
    case "held": {
      const after = planned.heldAfter!;
      const why = after.lastVerdict?.reason ?? after.phase;
      const words = `no change: ${target} was ${after.phase === "aborted" ? "aborted" : "rolled back"} (rollout ${after.id.slice(0, 8)}: ${why}); ${planned.serving ? labelOf(planned.serving) : "the baseline"} serves. Name a new release, or apply --force to try ${target} again`;
      return { outcome: "held", words, done: words };
    }
    case "switch": {
      const where = keptLabel(planned);
      return {
        outcome: "switch",
        words: `would switch ${where} to ${target} now (${planned.instantBecause})`,
        done: `switched ${where} to ${target} (${planned.instantBecause})`,
      };
    }
    case "rollout":
      return {
        outcome: "rollout",
        words: `would start ${rolloutWords(policy!, desired!)}`,
        done: `started ${rolloutWords(policy!, desired!)}`,
      };
    case "release": {
      const ended = planned.end
        ? `the rollout toward ${rolling ? labelOf(rolling) : "its candidate"} (${planned.end})`
        : null;
      return {
        outcome: "release",
        words: `would ${ended ? `end ${ended} and ` : ""}roll ${target} out in release ${release} with the file's other new releases (held at the last step until all passed, promoted together)`,
        done: `${ended ? `ended ${ended}, then ` : ""}rolling ${target} out in release ${release}`,
      };
    }
    case "supersede": {
      const ended = `the rollout toward ${rolling ? labelOf(rolling) : "its candidate"} (${planned.end})`;
      const then = planned.start
        ? `start ${rolloutWords(policy!, desired!)}`
        : planned.instantBecause
          ? `switch 100 % to ${target} now (${planned.instantBecause})`
          : `serve ${target}`;
      return {
        outcome: "supersede",
        words: `would end ${ended} and ${then}`,
        done: `ended ${ended}, then ${then.replace(/^start /, "started ").replace(/^switch /, "switched ")}`,
      };
    }
  }
}

/** "split stable=100 canary=0 → stable=90 canary=10" when the apply stores a new split (outside a rollout, which owns the weights). */
function splitMoved(state: LedgerState, planned: Planned): string | null {
  const before = state.config?.split;
  const after = planned.resolved?.split;
  if (!before || !after || isActive(state.rollout) || isRamping(state.rollout)) return null;
  const tracks = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  if (tracks.every((track) => (before[track] ?? 0) === (after[track] ?? 0))) return null;
  const words = (split: Record<string, number>) =>
    Object.entries(split)
      .map(([track, weight]) => `${track}=${weight}`)
      .join(" ");
  return `split ${words(before)} → ${words(after)}`;
}

/** "100 %", or the track a file with explicit origins changes. */
function keptLabel(planned: Planned): string {
  return planned.instantBecause === "the file sets the track's origin"
    ? (planned.resolved?.baseline ?? "the baseline")
    : "100 %";
}
