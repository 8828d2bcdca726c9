// keystone rollout explain SERVICE [--last N]: the last verdicts in words, with their numbers.
import { defineCommand } from "citty";
import { RolloutVerdicts } from "../../../schemas/verdict-log.ts";
import { openSession, wholeNumberFlag } from "../../session.ts";
import { renderVerdicts } from "../../verdict-view.ts";
import { rolloutPath, serviceArgs } from "./shared.ts";

export default defineCommand({
  meta: {
    name: "explain",
    description: "The rollout's last verdicts in words: every check with its numbers, and why",
  },
  args: {
    ...serviceArgs,
    last: { type: "string", default: "10", description: "how many verdicts (1 to 500)" },
  },
  async run({ args }) {
    const last = wholeNumberFlag("last", args.last, 1, 500);
    const { out, api } = openSession();
    const view = await api.get(
      RolloutVerdicts,
      `${rolloutPath(args.service, "verdicts")}?last=${last}`,
    );
    out.result(view);
    for (const line of renderVerdicts(out, view)) out.line(line);
  },
});
