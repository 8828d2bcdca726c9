// keystone release start -f release.yaml: checked offline first (exit 3 with every problem and its
// line), then started; the services without a condition start at once.
import { defineCommand } from "../../command.ts";
import { loadReleaseFile } from "../../release-file.ts";
import { renderRelease } from "../../release-view.ts";
import { releaseFailure } from "../../verdict-wait.ts";

export default defineCommand({
  description: "Start a release of several services from a release file",
  args: {
    file: {
      type: "string",
      alias: "f",
      required: true,
      valueHint: "release.yaml",
      description: "the release file (YAML or JSON)",
    },
    reason: { type: "string", description: "why, recorded in the release's history" },
    force: {
      type: "boolean",
      description:
        "start services whose release is behind the one serving (a rollback on purpose; said in history)",
    },
  },
  examples: ["keystone release start -f release.yaml --reason 'checkout v2'"],
  async run(args, session) {
    const file = await loadReleaseFile(args.file);
    const { out, api, author } = session;
    const status = await api.call("startRelease", {
      body: { file, author, reason: args.reason, ...(args.force ? { force: true } : {}) },
    });
    out.result(status);
    // A release can end in the request that starts it (a start the service refused, such as a
    // release behind the one serving): that is its verdict, as release wait would give it, not
    // "started" with exit 0.
    const { phase } = status.release;
    const ended = phase === "rolledBack" || phase === "aborted" || phase === "partiallyPromoted";
    if (!ended) out.line(`${out.paint("green", "✓")} release ${file.name} started`);
    for (const line of renderRelease(out, status)) out.line(line);
    if (ended) throw releaseFailure(file.name, { outcome: phase, status }, "");
  },
});
