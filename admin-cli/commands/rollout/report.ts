// keystone rollout report SERVICE: the latest rollout as Markdown (a CI job summary), or --json.

import { renderRolloutReport } from "../../../worker/core/rollout/rollout-report.ts";
import { defineCommand } from "../../command.ts";
import { serviceArgs } from "./shared.ts";

export default defineCommand({
  description: "The latest rollout in Markdown: steps with their figures, verdict, status page",
  args: serviceArgs,
  examples: ['keystone rollout report shop >> "$GITHUB_STEP_SUMMARY"'],
  async run(args, session) {
    const { out, api } = session;
    const params = { name: args.service };
    const status = await api.call("rolloutStatus", { params });
    const { history } = await api.call("serviceHistory", { params, query: {} });
    const statusPage = `${api.baseUrl}/_keystone/ui`;
    const markdown = renderRolloutReport(args.service, status, history, statusPage);
    out.result({ service: args.service, phase: status.state?.phase ?? null, statusPage, markdown });
    if (!out.json) out.raw(markdown);
  },
});
