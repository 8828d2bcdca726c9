// keystone release start -f release.yaml: checked offline first (exit 3 with every problem and its
// line), then started; the services without a condition start at once.
import { defineCommand } from "citty";
import { ReleaseStatus } from "../../../schemas/api-responses.ts";
import { loadReleaseFile } from "../../release-file.ts";
import { renderRelease } from "../../release-view.ts";
import { openSession } from "../../session.ts";

export default defineCommand({
  meta: {
    name: "start",
    description: "Start a release of several services from a release file",
  },
  args: {
    file: {
      type: "string",
      alias: "f",
      required: true,
      valueHint: "release.yaml",
      description: "the release file (YAML or JSON)",
    },
    reason: { type: "string", description: "why, recorded in the release's history" },
  },
  async run({ args }) {
    const file = await loadReleaseFile(args.file);
    const { out, api, author } = openSession();
    const status = await api.request(ReleaseStatus, "POST", "/releases", {
      file,
      author,
      reason: args.reason,
    });
    out.result(status);
    out.line(`${out.paint("green", "✓")} release ${file.name} started`);
    for (const line of renderRelease(out, status)) out.line(line);
  },
});
