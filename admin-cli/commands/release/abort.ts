// keystone release abort RELEASE: every service the release started is aborted (all traffic back
// to each baseline); the services still waiting never start.
import { RELEASE_PHASE_NAMES } from "../../../worker/core/release/release-words.ts";
import { defineCommand } from "../../command.ts";
import { renderRelease } from "../../release-view.ts";
import { releaseArgs } from "./shared.ts";

export default defineCommand({
  description: "Abort every service of the release at once",
  args: {
    ...releaseArgs,
    reason: { type: "string", description: "why, recorded in the release's history" },
  },
  examples: ["keystone release abort checkout --reason 'payment errors'"],
  async run(args, session) {
    const { out, api, author } = session;
    const status = await api.call("abortRelease", {
      params: { name: args.release },
      body: { author, reason: args.reason },
    });
    out.result(status);
    out.line(
      `${out.paint("green", "✓")} release ${args.release}: ${RELEASE_PHASE_NAMES[status.release.phase]}`,
    );
    for (const line of renderRelease(out, status)) out.line(line);
  },
});
