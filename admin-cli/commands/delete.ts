// keystone delete SERVICE --yes: stops routing the service; its history is kept.
import { defineCommand } from "../command.ts";
import { CliError, EXIT } from "../errors.ts";

export default defineCommand({
  description: "Delete a service (recorded in history; revert brings it back)",
  args: {
    service: { type: "positional", required: true, description: "service name" },
    yes: { type: "boolean", description: "confirm: the service's hosts will answer 404" },
    reason: { type: "string", description: "why, recorded in history" },
  },
  examples: ["keystone delete shop --yes --reason retired"],
  async run(args, session) {
    const { out, api, author } = session;
    if (!args.yes) {
      throw new CliError(
        EXIT.usage,
        `deleting "${args.service}" makes its hosts answer 404: add --yes to confirm`,
      );
    }
    const result = await api.call("deleteService", {
      params: { name: args.service },
      body: { author, reason: args.reason },
    });
    // A delete is always one new revision: the one before it is what a revert brings back.
    const before = result.revision - 1;
    out.result(result);
    out.line(
      `${out.paint("green", "✓")} ${args.service} deleted (revision ${result.revision}); apply its file again (or keystone revert ${args.service} --to ${before}) to bring it back`,
    );
  },
});
