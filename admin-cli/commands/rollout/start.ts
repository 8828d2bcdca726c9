// keystone rollout start SERVICE [--origin URL] [--release R] [--strategy S]
import { defineCommand } from "citty";
import { RolloutStartBody } from "../../../schemas/api.ts";
import { RolloutStateWire } from "../../../schemas/api-responses.ts";
import { RolloutStrategy } from "../../../schemas/rollout.ts";
import { CliError, EXIT } from "../../errors.ts";
import { checkFlag } from "../../flag-values.ts";
import { openSession } from "../../session.ts";
import { rolloutPath, serviceArgs } from "./shared.ts";

export default defineCommand({
  meta: {
    name: "start",
    description: "Start a rollout of the candidate (optionally with a new origin and release)",
  },
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
  async run({ args }) {
    const { out, api, author } = openSession();
    checkFlag("--origin", args.origin, RolloutStartBody.shape.origin, EXIT.invalidConfig);
    checkFlag("--release", args.release, RolloutStartBody.shape.release, EXIT.invalidConfig);
    if (args.strategy !== undefined && !RolloutStrategy.safeParse(args.strategy).success) {
      throw new CliError(
        EXIT.usage,
        `--strategy takes canary, linear or blueGreen, not "${args.strategy}"`,
      );
    }
    const state = await api.request(RolloutStateWire, "POST", rolloutPath(args.service, "start"), {
      origin: args.origin,
      release: args.release,
      strategy: args.strategy,
      author,
      reason: args.reason,
    });
    out.result(state);
    out.line(
      `${out.paint("green", "✓")} ${args.service}: ${state.strategy} rollout of ${state.candidate} started at ${state.weight}% (step 1 of ${state.stepCount})`,
    );
  },
});
