// The step plan of each strategy: weights with bake times, and manual gates.
import { parseDuration } from "../../../schemas/duration.ts";
import type { Rollout, Where } from "../../../schemas/rollout.ts";

export type Step =
  | { kind: "weight"; weight: number; bakeMs: number; where?: Where | undefined }
  | { kind: "pause" };

/** Blue/green without a bake of its own checks each side for a minute. */
const DEFAULT_BLUE_GREEN_BAKE = "1m";

export function stepsOf(rollout: Rollout): Step[] {
  switch (rollout.strategy) {
    case "canary":
      return (rollout.steps ?? []).map((step) =>
        step.pause
          ? { kind: "pause" }
          : {
              kind: "weight",
              weight: step.weight!,
              bakeMs: parseDuration(step.bake!)!,
              where: step.where,
            },
      );
    case "linear": {
      const bakeMs = parseDuration(rollout.bake!)!;
      const top = rollout.maxWeight ?? 100;
      const steps: Step[] = [];
      for (let weight = rollout.stepPercent!; weight < top; weight += rollout.stepPercent!) {
        steps.push({ kind: "weight", weight: Math.round(weight * 100) / 100, bakeMs });
      }
      steps.push({ kind: "weight", weight: top, bakeMs });
      return steps;
    }
    case "blueGreen": {
      // The inactive colour is checked on preview traffic (rules) at 0%, then switched to 100%
      // and checked again before the switch is final; failing either flips back at once.
      const bakeMs = parseDuration(rollout.bake ?? DEFAULT_BLUE_GREEN_BAKE)!;
      return [
        { kind: "weight", weight: 0, bakeMs },
        { kind: "weight", weight: 100, bakeMs },
      ];
    }
  }
}

/**
 * The place the weight in force at step `index` is limited to: that of the last weight step at or
 * before it (a pause gate keeps the weight, and the place, of the step before it); null: everyone.
 */
export function placeAt(steps: readonly Step[], index: number): Where | null {
  for (let i = Math.min(index, steps.length - 1); i >= 0; i--) {
    const step = steps[i]!;
    if (step.kind === "weight") return step.where ?? null;
  }
  return null;
}
