// keystone release abort RELEASE: every service the release started is aborted (all traffic back
// to each baseline); the services still waiting never start.
import { defineCommand } from "citty";
import { ReleaseStatus } from "../../../schemas/api-responses.ts";
import { renderRelease } from "../../release-view.ts";
import { openSession } from "../../session.ts";
import { releaseArgs, releasePath } from "./shared.ts";

export default defineCommand({
  meta: { name: "abort", description: "Abort every service of the release at once" },
  args: {
    ...releaseArgs,
    reason: { type: "string", description: "why, recorded in the release's history" },
  },
  async run({ args }) {
    const { out, api, author } = openSession();
    const status = await api.request(ReleaseStatus, "POST", releasePath(args.release, "abort"), {
      author,
      reason: args.reason,
    });
    out.result(status);
    out.line(`${out.paint("green", "✓")} release ${args.release}: ${status.release.phase}`);
    for (const line of renderRelease(out, status)) out.line(line);
  },
});
