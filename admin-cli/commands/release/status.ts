// keystone release status RELEASE [--watch]: its phase, each service's standing, its history.
import { defineCommand } from "../../command.ts";
import { RELEASE_ENDED, renderRelease } from "../../release-view.ts";
import { watchIntervalMs } from "../../wait-clock.ts";
import { releaseArgs } from "./shared.ts";

const CLEAR = "\u001b[2J\u001b[H";

export default defineCommand({
  description: "Show a release: its phase, each service's step and weight, its history",
  args: {
    ...releaseArgs,
    watch: {
      type: "boolean",
      description: "redraw every 2 s until the release ends (Ctrl-C to stop)",
    },
    interval: { type: "string", default: "2", description: "seconds between redraws with --watch" },
  },
  examples: ["keystone release status checkout --watch"],
  async run(args, session) {
    const { out, api, io } = session;
    const intervalMs = watchIntervalMs(args.interval);
    for (;;) {
      const status = await api.call("releaseStatus", { params: { name: args.release } });
      if (out.json) io.stdout(`${JSON.stringify(status)}\n`);
      else {
        if (args.watch && out.color) out.control(CLEAR);
        for (const line of renderRelease(out, status)) out.line(line);
        if (args.watch) out.line();
      }
      if (!args.watch || RELEASE_ENDED.has(status.release.phase)) return;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  },
});
