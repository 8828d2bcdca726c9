// keystone rollout promote|pause|resume|abort SERVICE: one operator action each.
import { PHASE_NAMES } from "../../../worker/core/rollout/event-words.ts";
import { defineCommand } from "../../command.ts";
import { serviceArgs } from "./shared.ts";

const ACTIONS = {
  promote: {
    description: "Pass a pause gate (or skip the bake) to the next step; --full promotes now",
    examples: [
      "keystone rollout promote shop",
      "keystone rollout promote shop --full --reason 'verified by hand'",
    ],
  },
  pause: {
    description: "Hold the rollout at its current weight",
    examples: ["keystone rollout pause shop --reason 'investigating p99'"],
  },
  resume: {
    description: "Carry on after a pause (a fresh analysis window)",
    examples: ["keystone rollout resume shop"],
  },
  abort: {
    description: "Send all traffic to the baseline at once",
    examples: ["keystone rollout abort shop --reason 'errors in checkout'"],
  },
} as const;

export function rolloutAction(action: keyof typeof ACTIONS) {
  return defineCommand({
    ...ACTIONS[action],
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
    async run(args, session) {
      const { out, api, author } = session;
      const state = await api.call(`${action}Rollout`, {
        params: { name: args.service },
        body: {
          ...(action === "promote" ? { full: args.full === true } : {}),
          author,
          reason: args.reason,
        },
      });
      out.result(state);
      // The operator's own words when given (they are what history records), else the verdict's.
      const why = args.reason ?? state.lastVerdict?.reason ?? "";
      out.line(
        `${out.paint("green", "✓")} ${args.service}: ${PHASE_NAMES[state.phase]}, ${state.candidate} at ${state.weight}% — ${why}`,
      );
    },
  });
}
