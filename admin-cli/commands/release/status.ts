// keystone release status RELEASE [--watch]: its phase, each service's standing, its history.
import type { ReleaseStatus } from "../../../schemas/api-responses.ts";
import { defineCommand } from "../../command.ts";
import { pollsThrough } from "../../errors.ts";
import { RELEASE_ENDED, renderRelease } from "../../release-view.ts";
import { releaseFailure } from "../../verdict-wait.ts";
import { watchIntervalMs } from "../../wait-clock.ts";
import { releaseArgs } from "./shared.ts";

const CLEAR = "\u001b[2J\u001b[H";

export default defineCommand({
  description: "Show a release: its phase, each service's step and weight, its history",
  args: {
    ...releaseArgs,
    watch: {
      type: "boolean",
      description:
        "redraw every 2 s until the release ends, exiting like release wait (Ctrl-C to stop)",
    },
    interval: { type: "string", default: "2", description: "seconds between redraws with --watch" },
  },
  examples: ["keystone release status checkout --watch"],
  async run(args, session) {
    const { out, api, io } = session;
    const intervalMs = watchIntervalMs(args.interval);
    for (;;) {
      let status: ReleaseStatus;
      try {
        status = await api.call("releaseStatus", { params: { name: args.release } });
      } catch (error) {
        // As rollout status --watch: the Worker restarting under a watch (a reset, a 502) does not
        // end it, the release goes on; nothing answering before the first answer is a wrong --url.
        if (!args.watch || !pollsThrough(error, api.answered)) throw error;
        out.note(
          `${error.message} (retrying every ${intervalMs / 1000}s · Ctrl-C to stop watching)`,
        );
        await new Promise((resolve) => setTimeout(resolve, intervalMs));
        continue;
      }
      if (out.json) io.stdout(`${JSON.stringify(status)}\n`);
      else {
        if (args.watch && out.color) out.control(CLEAR);
        for (const line of renderRelease(out, status)) out.line(line);
        if (args.watch) out.line();
      }
      if (!args.watch) return;
      // The watch ends with the release and exits as release wait (and rollout status --watch)
      // does: 10 when it rolled back, was aborted or only partly promoted, not 0 whatever the end.
      const { phase } = status.release;
      if (RELEASE_ENDED.has(phase)) {
        const failure = releaseFailure(args.release, { outcome: phase, status }, "");
        if (failure) throw failure;
        return;
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  },
});
