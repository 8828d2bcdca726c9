// keystone rollout status SERVICE [--watch]: phase, step, weights, bake left, per-version figures.
import { defineCommand } from "citty";
import { renderStatus, TERMINAL } from "../../rollout-view.ts";
import { openSession } from "../../session.ts";
import { fetchStatus, serviceArgs } from "./shared.ts";

const CLEAR = "\u001b[2J\u001b[H";

export default defineCommand({
  meta: {
    name: "status",
    description: "Show a rollout: phase, step, weights, time left, per-version figures",
  },
  args: {
    ...serviceArgs,
    watch: {
      type: "boolean",
      description: "redraw every 2 s until the rollout ends (Ctrl-C to stop)",
    },
    interval: { type: "string", default: "2", description: "seconds between redraws with --watch" },
  },
  async run({ args }) {
    const { out, api, io } = openSession();
    const intervalMs = Math.max(0.2, Number(args.interval) || 2) * 1000;
    for (;;) {
      const status = await fetchStatus(api, args.service);
      if (out.json) io.stdout(`${JSON.stringify(status)}\n`);
      else {
        // Redraw in place only where escapes are welcome: a terminal without --no-color/NO_COLOR.
        if (args.watch && out.color) out.raw(CLEAR);
        for (const line of renderStatus(out, args.service, status)) out.line(line);
        if (args.watch) out.line();
      }
      if (!args.watch || !status.state || TERMINAL.has(status.state.phase)) return;
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  },
});
