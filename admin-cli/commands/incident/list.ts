// keystone incident list SERVICE: the service's incidents, newest first (--json: what the API
// answers, {service, incidents: [{id, rolloutId, outcome, at, release, summary}]}).
import { PHASE_NAMES, timeText } from "../../../worker/core/rollout/event-words.ts";
import { defineCommand } from "../../command.ts";
import { table } from "../../io.ts";

export default defineCommand({
  description: "A service's incidents (rollbacks and aborts), newest first",
  args: { service: { type: "positional", required: true, description: "service name" } },
  examples: ["keystone incident list shop"],
  async run(args, session) {
    const { out, api } = session;
    const answer = await api.call("listIncidents", { params: { name: args.service } });
    out.result(answer);
    if (answer.incidents.length === 0)
      return out.line(`${args.service}: no incidents (no rollout was rolled back or aborted)`);
    out.line(
      table(
        ["ID", "WHEN", "OUTCOME", "RELEASE", "SUMMARY"],
        answer.incidents.map((i) => [
          i.id,
          timeText(i.at),
          out.paint("red", PHASE_NAMES[i.outcome]),
          i.release ?? "–",
          i.summary,
        ]),
      ),
    );
    out.line(out.paint("dim", `keystone incident show ${args.service} <id> for the timeline`));
  },
});
