// keystone rollout report SERVICE: the latest rollout as Markdown (a CI job summary), or --json.
import { defineCommand } from "citty";
import { HistoryResponse } from "../../../schemas/history.ts";
import { renderRolloutReport } from "../../rollout-report.ts";
import { openSession } from "../../session.ts";
import { fetchStatus, serviceArgs } from "./shared.ts";

export default defineCommand({
  meta: {
    name: "report",
    description: "The latest rollout in Markdown: steps with their figures, verdict, status page",
  },
  args: serviceArgs,
  async run({ args }) {
    const { out, api } = openSession();
    const status = await fetchStatus(api, args.service);
    const { history } = await api.get(
      HistoryResponse,
      `/services/${encodeURIComponent(args.service)}/history`,
    );
    const statusPage = `${api.baseUrl}/_keystone/ui`;
    const markdown = renderRolloutReport(args.service, status, history, statusPage);
    out.result({ service: args.service, phase: status.state?.phase ?? null, statusPage, markdown });
    if (!out.json) out.raw(markdown);
  },
});
