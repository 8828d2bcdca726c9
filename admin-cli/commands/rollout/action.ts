// keystone rollout promote|pause|resume|abort SERVICE: one operator action each.
import { defineCommand } from "citty";
import { RolloutStateWire } from "../../../schemas/api-responses.ts";
import { openSession } from "../../session.ts";
import { rolloutPath, serviceArgs } from "./shared.ts";

const DESCRIPTIONS = {
  promote: "Pass a pause gate (or skip the bake) to the next step; --full promotes now",
  pause: "Hold the rollout at its current weight",
  resume: "Carry on after a pause (a fresh analysis window)",
  abort: "Send all traffic to the baseline at once",
} as const;

export function rolloutAction(action: keyof typeof DESCRIPTIONS) {
  return defineCommand({
    meta: { name: action, description: DESCRIPTIONS[action] },
    args: {
      ...serviceArgs,
      ...(action === "promote"
        ? {
            full: {
              type: "boolean",
              description: "promote to 100% now, skipping the remaining steps",
            },
          }
        : {}),
      reason: { type: "string", description: "why, recorded in history" },
    },
    async run({ args }) {
      const { out, api, author } = openSession();
      const state = await api.request(RolloutStateWire, "POST", rolloutPath(args.service, action), {
        ...(action === "promote" ? { full: (args as { full?: boolean }).full === true } : {}),
        author,
        reason: args.reason,
      });
      out.result(state);
      // The operator's own words when given (they are what history records), else the verdict's.
      const why = args.reason ?? state.lastVerdict?.reason ?? "";
      out.line(
        `${out.paint("green", "✓")} ${args.service}: ${state.phase}, ${state.candidate} at ${state.weight}% — ${why}`,
      );
    },
  });
}
