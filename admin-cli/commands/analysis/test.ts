// keystone analysis test SERVICE: runs the rollout's metric queries now and prints what each
// provider answered, judged as a tick would judge it; acts on nothing.
import { defineCommand } from "../../command.ts";
import { renderAnalysisTest } from "../../verdict-view.ts";

export default defineCommand({
  description:
    "Run the rollout's metric queries now against their providers and print the values; acts on nothing",
  args: {
    service: { type: "positional", required: true, description: "service name" },
  },
  examples: ["keystone analysis test shop", "keystone analysis test shop -o json"],
  async run(args, session) {
    const { out, api } = session;
    const result = await api.call("analysisTest", { params: { name: args.service } });
    out.result(result);
    for (const line of renderAnalysisTest(out, result)) out.line(line);
  },
});
