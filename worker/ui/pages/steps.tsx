/** @jsxImportSource hono/jsx */
// A rollout as a progress bar over its steps: passed steps filled, the current one highlighted,
// a manual gate drawn as a bar of its own, red when the rollout ended badly.
import { PHASE_NAMES } from "../../core/rollout/event-words.ts";
import type { RolloutPanel } from "../model.ts";

const WIDTH = 560;
const HEIGHT = 34;
const GAP = 4;

function stateOf(rollout: RolloutPanel, index: number): string {
  const step = index + 1;
  if (rollout.phase === "promoted") return "done";
  if (rollout.phase === "rolledBack" || rollout.phase === "aborted")
    return step < rollout.step ? "done" : step === rollout.step ? "failed" : "todo";
  return step < rollout.step ? "done" : step === rollout.step ? "current" : "todo";
}

export function StepsBar(props: { rollout: RolloutPanel }) {
  const { rollout } = props;
  const count = rollout.steps.length;
  const width = (WIDTH - GAP * (count - 1)) / count;
  const passed = rollout.phase === "promoted" ? count : rollout.step - 1;
  return (
    <svg
      class="steps"
      width={WIDTH}
      height={HEIGHT}
      viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
      role="progressbar"
      aria-valuemin="0"
      aria-valuemax={String(count)}
      aria-valuenow={String(passed)}
      aria-valuetext={`step ${rollout.step} of ${count}, ${PHASE_NAMES[rollout.phase]}`}
      data-step={String(rollout.step)}
    >
      <title>{`step ${rollout.step} of ${count}: ${PHASE_NAMES[rollout.phase]}`}</title>
      {rollout.steps.map((step, i) => {
        const x = i * (width + GAP);
        const label = step.kind === "pause" ? "gate" : `${step.weightPercent}%`;
        return (
          <g>
            <rect
              class={stateOf(rollout, i)}
              x={x.toFixed(1)}
              y="0"
              width={width.toFixed(1)}
              height="20"
              rx="3"
            />
            <text x={(x + width / 2).toFixed(1)} y="32" text-anchor="middle">
              {label}
            </text>
          </g>
        );
      })}
    </svg>
  );
}
