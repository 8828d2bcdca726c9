// keystone release wait RELEASE [--timeout 30m]: what a CI job calls to gate a pipeline on a
// release. Exit 0 promoted, 10 rolled back, aborted or only partly promoted, 11 timeout.
import { defineCommand } from "../../command.ts";
import { awaitRelease, releaseFailure } from "../../verdict-wait.ts";
import { waitArgs, waitClock } from "../../wait-clock.ts";
import { releaseArgs } from "./shared.ts";

export default defineCommand({
  description:
    "Wait for the release to end: exit 0 promoted, 10 rolled back/aborted/partly promoted, 11 timeout",
  args: {
    ...releaseArgs,
    ...waitArgs,
  },
  examples: ["keystone release wait checkout --timeout 1h"],
  async run(args, session) {
    const { out, api } = session;
    const name = args.release;
    const end = await awaitRelease(api, out, name, waitClock(args));
    out.result({ release: name, ...end });
    const failure = releaseFailure(name, end, args.timeout);
    if (failure) throw failure;
    out.line(`${out.paint("green", "✓")} ${name}: every service promoted`);
  },
});
