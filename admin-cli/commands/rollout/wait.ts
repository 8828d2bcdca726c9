// keystone rollout wait SERVICE [--timeout 30m]: what a CI job calls to gate a pipeline.
// Exit 0 promoted, 10 rolled back or aborted, 11 timeout.
import { defineCommand } from "../../command.ts";
import { awaitRollout, rolloutFailure } from "../../verdict-wait.ts";
import { waitArgs, waitClock } from "../../wait-clock.ts";
import { serviceArgs } from "./shared.ts";

export default defineCommand({
  description: "Wait for the rollout to end: exit 0 promoted, 10 rolled back/aborted, 11 timeout",
  args: {
    ...serviceArgs,
    ...waitArgs,
    "promote-gates": {
      type: "boolean",
      description: "pass each pause gate as it comes (keystone rollout promote), for unattended CI",
    },
  },
  examples: [
    "keystone rollout wait shop --timeout 45m",
    "keystone rollout wait shop --promote-gates",
  ],
  async run(args, session) {
    const { out, api, author } = session;
    const clock = waitClock(args);
    const promoteGates = args["promote-gates"] === true;
    const end = await awaitRollout(api, out, args.service, { clock, promoteGates, author });
    out.result({ service: args.service, ...end });
    const failure = rolloutFailure(args.service, end, args.timeout);
    if (failure) throw failure;
    out.line(`${out.paint("green", "✓")} ${args.service}: promoted`);
  },
});
