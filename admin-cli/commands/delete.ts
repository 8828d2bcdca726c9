// keystone delete SERVICE --yes: stops routing the service; its history is kept.
import { defineCommand } from "citty";
import { ChangeResult, ServiceRecord } from "../../schemas/api-responses.ts";
import { CliError, EXIT } from "../errors.ts";
import { openSession } from "../session.ts";

export default defineCommand({
  meta: {
    name: "delete",
    description: "Delete a service (recorded in history; revert brings it back)",
  },
  args: {
    service: { type: "positional", required: true, description: "service name" },
    yes: { type: "boolean", description: "confirm: the service's hosts will answer 404" },
    reason: { type: "string", description: "why, recorded in history" },
  },
  async run({ args }) {
    const { out, api, author } = openSession();
    if (!args.yes) {
      throw new CliError(
        EXIT.usage,
        `deleting "${args.service}" makes its hosts answer 404: add --yes to confirm`,
      );
    }
    const path = `/services/${encodeURIComponent(args.service)}`;
    const current = await api.get(ServiceRecord, path);
    const result = await api.request(ChangeResult, "DELETE", path, {
      baseRevision: current.revision,
      author,
      reason: args.reason,
    });
    out.result(result);
    out.line(
      `${out.paint("green", "✓")} ${args.service} deleted (revision ${result.revision}); apply its file again (or keystone revert ${args.service} --to ${current.revision}) to bring it back`,
    );
  },
});
