// keystone release status RELEASE [--watch]: its phase, each service's standing, its history.
import { defineCommand } from "citty";
import { RELEASE_ENDED, renderRelease } from "../../release-view.ts";
import { openSession } from "../../session.ts";
import { watchIntervalMs } from "../../wait-clock.ts";
import { fetchRelease, releaseArgs } from "./shared.ts";

const CLEAR = "\u001b[2J\u001b[H";

export default defineCommand({
  meta: {
    name: "status",
    description: "Show a release: its phase, each service's step and weight, its history",
  },
  args: {
    ...releaseArgs,
    watch: {
      type: "boolean",
      description: "redraw every 2 s until the release ends (Ctrl-C to stop)",
    },
    interval: { type: "string", default: "2", description: "seconds between redraws with --watch" },
  },
  async run({ args }) {
    const { out, api, io } = openSession();
    const intervalMs = watchIntervalMs(args.interval);
    for (;;) {
      const status = await fetchRelease(api, args.release);
      if (out.json) io.stdout(`${JSON.stringify(status)}\n`);
      else {
        if (args.watch && out.color) out.raw(CLEAR);
        for (const line of renderRelease(out, status)) out.line(line);
        if (args.watch) out.line();
      }
      if (!args.watch || RELEASE_ENDED.has(status.release.phase)) return;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  },
});
