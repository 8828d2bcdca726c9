// keystone analysis test SERVICE: runs the rollout's metric queries now and prints what each
// provider answered, judged as a tick would judge it; acts on nothing.
import { defineCommand } from "../../command.ts";
import { CliError, EXIT } from "../../errors.ts";
import { renderAnalysisTest } from "../../verdict-view.ts";

export default defineCommand({
  description:
    "Run the rollout's metric queries now against their providers and print the values; acts on nothing",
  args: {
    service: { type: "positional", required: true, description: "service name" },
    output: { type: "string", alias: "o", default: "text", description: "text | json" },
  },
  examples: ["keystone analysis test shop", "keystone analysis test shop -o json"],
  async run(args, session) {
    const { out, api } = session;
    if (!["text", "json"].includes(args.output))
      throw new CliError(EXIT.usage, `-o takes text or json, not "${args.output}"`);
    const result = await api.call("analysisTest", { params: { name: args.service } });
    out.result(result);
    if (out.json) return;
    if (args.output === "json") return out.raw(`${JSON.stringify(result, null, 2)}\n`);
    for (const line of renderAnalysisTest(out, result)) out.line(line);
  },
});
