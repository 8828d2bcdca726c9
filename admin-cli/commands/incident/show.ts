// keystone incident show SERVICE ID [-o md|json]: one incident, as Markdown for a postmortem
// (the default) or as the API's JSON (-o json, or --json).

import { incidentMarkdown } from "../../../worker/core/rollout/incident-markdown.ts";
import { defineCommand } from "../../command.ts";
import { CliError, EXIT } from "../../errors.ts";

export default defineCommand({
  description: "One incident: Markdown to paste into a postmortem, or JSON",
  args: {
    service: { type: "positional", required: true, description: "service name" },
    id: { type: "positional", required: true, description: "incident id (keystone incident list)" },
    output: { type: "string", alias: "o", default: "md", description: "md | json" },
  },
  examples: [
    "keystone incident show shop 3 > postmortem.md",
    "keystone incident show shop 3 -o json",
  ],
  async run(args, session) {
    const { out, api } = session;
    if (!["md", "json"].includes(args.output))
      throw new CliError(EXIT.usage, `-o takes md or json, not "${args.output}"`);
    const incident = await api.call("getIncident", {
      params: { name: args.service, id: args.id },
    });
    if (out.json) return out.result(incident);
    if (args.output === "json") return out.raw(`${JSON.stringify(incident, null, 2)}\n`);
    out.raw(incidentMarkdown(incident, { baseUrl: api.baseUrl }));
  },
});
