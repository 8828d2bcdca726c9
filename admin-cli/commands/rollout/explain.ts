// keystone rollout explain SERVICE [--last N]: the last verdicts in words, with their numbers.
import { defineCommand } from "../../command.ts";
import { wholeNumberFlag } from "../../session.ts";
import { renderVerdicts } from "../../verdict-view.ts";
import { serviceArgs } from "./shared.ts";

export default defineCommand({
  description: "The rollout's last verdicts in words: every check with its numbers, and why",
  args: {
    ...serviceArgs,
    last: { type: "string", default: "10", description: "how many verdicts (1 to 500)" },
  },
  examples: ["keystone rollout explain shop --last 5"],
  async run(args, session) {
    const last = wholeNumberFlag("last", args.last, 1, 500);
    const { out, api } = session;
    const view = await api.call("rolloutVerdicts", {
      params: { name: args.service },
      query: { last },
    });
    out.result(view);
    for (const line of renderVerdicts(out, view)) out.line(line);
  },
});
