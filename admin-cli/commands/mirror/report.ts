// keystone mirror report SERVICE [--minutes N]: shadow traffic's matches, mismatches and diffs.
import { defineCommand } from "citty";
import { MirrorReport } from "../../../schemas/mirror.ts";
import { renderMirrorReport } from "../../mirror-view.ts";
import { openSession, wholeNumberFlag } from "../../session.ts";

export default defineCommand({
  meta: {
    name: "report",
    description: "Shadow traffic: comparisons, differing responses by path, sample diffs",
  },
  args: {
    service: { type: "positional", required: true, description: "service name" },
    minutes: { type: "string", default: "60", description: "how far back (1 to 360)" },
  },
  async run({ args }) {
    const minutes = wholeNumberFlag("minutes", args.minutes, 1, 360);
    const { out, api } = openSession();
    const report = await api.get(
      MirrorReport,
      `/services/${encodeURIComponent(args.service)}/mirror?minutes=${minutes}`,
    );
    out.result(report);
    for (const line of renderMirrorReport(out, report, minutes)) out.line(line);
  },
});
