// keystone mirror report SERVICE [--minutes N]: shadow traffic's matches, mismatches and diffs.
import { defineCommand } from "../../command.ts";
import { renderMirrorReport } from "../../mirror-view.ts";
import { wholeNumberFlag } from "../../session.ts";

export default defineCommand({
  description: "Shadow traffic: comparisons, differing responses by path, sample diffs",
  args: {
    service: { type: "positional", required: true, description: "service name" },
    minutes: { type: "string", default: "60", description: "how far back (1 to 360)" },
  },
  examples: ["keystone mirror report shop --minutes 30"],
  async run(args, session) {
    const minutes = wholeNumberFlag("minutes", args.minutes, 1, 360);
    const { out, api } = session;
    const report = await api.call("mirrorReport", {
      params: { name: args.service },
      query: { minutes },
    });
    out.result(report);
    for (const line of renderMirrorReport(out, report, minutes)) out.line(line);
  },
});
