// `rollout status` lines for a regional wave's place and a ramped rollback's progress.
import type { RolloutStatus } from "../schemas/api-responses.ts";
import { describeWhere } from "../worker/core/wave.ts";

export function visitorLines(
  state: NonNullable<RolloutStatus["state"]>,
  view: RolloutStatus,
): string[] {
  const lines: string[] = [];
  if (view.place)
    lines.push(
      `wave: only ${describeWhere(view.place)} reach ${state.candidate} in this step; elsewhere stays on ${state.baseline}`,
    );
  const ramp = state.ramp;
  if (ramp && state.phase === "rolledBack" && state.weight > 0 && state.endedAt) {
    const end = new Date(Date.parse(state.endedAt) + ramp.steps * ramp.stepMs).toISOString();
    lines.push(
      `ramping back: ${state.candidate} at ${state.weight}% (from ${ramp.from}%), 0% by ${end}`,
    );
  }
  return lines;
}
