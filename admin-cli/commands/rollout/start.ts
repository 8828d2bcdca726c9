// keystone rollout start SERVICE [--origin URL] [--release R] [--strategy S]
import { RolloutStartBody } from "../../../schemas/api.ts";
import { RolloutStrategy } from "../../../schemas/rollout.ts";
import { defineCommand } from "../../command.ts";
import { CliError, EXIT } from "../../errors.ts";
import { checkFlag } from "../../flag-values.ts";
import { serviceArgs } from "./shared.ts";

export default defineCommand({
  description: "Start a rollout of the candidate (optionally with a new origin and release)",
  args: {
    ...serviceArgs,
    origin: { type: "string", description: "the candidate's new origin URL" },
    release: { type: "string", description: "the candidate's release label" },
    strategy: {
      type: "string",
      description: "canary | linear | blueGreen (default: the service's policy)",
    },
    reason: { type: "string", description: "why, recorded in history" },
  },
  examples: [
    "keystone rollout start shop",
    "keystone rollout start shop --origin https://v3.shop.internal --release v3 --strategy linear",
  ],
  async run(args, session) {
    const { out, api, author } = session;
    checkFlag("--origin", args.origin, RolloutStartBody.shape.origin, EXIT.invalidConfig);
    checkFlag("--release", args.release, RolloutStartBody.shape.release, EXIT.invalidConfig);
    const strategy = RolloutStrategy.optional().safeParse(args.strategy);
    if (!strategy.success) {
      throw new CliError(
        EXIT.usage,
        `--strategy takes canary, linear or blueGreen, not "${args.strategy}"`,
      );
    }
    const state = await api.call("startRollout", {
      params: { name: args.service },
      body: {
        origin: args.origin,
        release: args.release,
        strategy: strategy.data,
        author,
        reason: args.reason,
      },
    });
    out.result(state);
    out.line(
      `${out.paint("green", "✓")} ${args.service}: ${state.strategy} rollout of ${state.candidate} started at ${state.weight}% (step 1 of ${state.stepCount})`,
    );
  },
});
