// keystone rollout wait SERVICE [--timeout 30m]: what a CI job calls to gate a pipeline.
// Exit 0 promoted, 10 rolled back or aborted, 11 timeout.
import { defineCommand } from "citty";
import { RolloutStateWire } from "../../../schemas/api-responses.ts";
import { CliError, EXIT } from "../../errors.ts";
import { openSession } from "../../session.ts";
import { waitArgs, waitClock } from "../../wait-clock.ts";
import { fetchStatus, rolloutPath, serviceArgs } from "./shared.ts";

export default defineCommand({
  meta: {
    name: "wait",
    description: "Wait for the rollout to end: exit 0 promoted, 10 rolled back/aborted, 11 timeout",
  },
  args: {
    ...serviceArgs,
    ...waitArgs,
    "promote-gates": {
      type: "boolean",
      description: "pass each pause gate as it comes (keystone rollout promote), for unattended CI",
    },
  },
  async run({ args }) {
    const { out, api, author } = openSession();
    const clock = waitClock(args);
    let last = "";
    for (;;) {
      const { state } = await fetchStatus(api, args.service);
      if (!state)
        throw new CliError(EXIT.error, `service "${args.service}" has no rollout to wait for`);
      const summary = `${state.phase}, step ${state.stepIndex + 1} of ${state.stepCount}, ${state.candidate} at ${state.weight}%`;
      if (summary !== last)
        out.note(
          `${args.service}: ${summary}${state.lastVerdict ? ` — ${state.lastVerdict.reason}` : ""}`,
        );
      last = summary;
      if (state.phase === "promoted") {
        out.result({ service: args.service, outcome: "promoted", state: state });
        out.line(`${out.paint("green", "✓")} ${args.service}: promoted`);
        return;
      }
      if (state.phase === "rolledBack" || state.phase === "aborted") {
        out.result({ service: args.service, outcome: state.phase, state: state });
        throw new CliError(
          EXIT.rolledBack,
          `${args.service}: rollout ${state.phase === "aborted" ? "aborted" : "rolled back"} — ${state.lastVerdict?.reason ?? ""}`,
        );
      }
      if (args["promote-gates"] && state.phase === "paused" && state.pausedBy === "gate") {
        await api.request(RolloutStateWire, "POST", rolloutPath(args.service, "promote"), {
          full: false,
          author,
          reason: "pause gate passed by rollout wait --promote-gates",
        });
        out.note(`${args.service}: pause gate passed (--promote-gates)`);
        continue;
      }
      if (clock.expired()) {
        out.result({ service: args.service, outcome: "timeout", state: state });
        throw new CliError(
          EXIT.timeout,
          `${args.service}: still ${state.phase} after ${args.timeout}`,
        );
      }
      await clock.pause();
    }
  },
});
