// keystone revert SERVICE --to N: a new revision equal to revision N.
import { defineCommand } from "citty";
import { ChangeResult, ServiceRecord } from "../../schemas/api-responses.ts";
import { CliError, EXIT } from "../errors.ts";
import { openSession } from "../session.ts";

export default defineCommand({
  meta: { name: "revert", description: "Restore an earlier revision (as a new revision)" },
  args: {
    service: { type: "positional", required: true, description: "service name" },
    to: {
      type: "string",
      required: true,
      valueHint: "revision",
      description: "revision number to restore",
    },
    reason: { type: "string", description: "why, recorded in history" },
  },
  async run({ args }) {
    const { out, api, author } = openSession();
    const to = Number(args.to);
    if (!Number.isInteger(to) || to < 1)
      throw new CliError(EXIT.usage, `--to takes a revision number, not "${args.to}"`);
    const path = `/services/${encodeURIComponent(args.service)}`;
    const current = await api.find(ServiceRecord, path);
    const result = await api.request(ChangeResult, "POST", `${path}/revert`, {
      to,
      baseRevision: current?.revision,
      author,
      reason: args.reason,
    });
    out.result(result);
    out.line(
      `${out.paint("green", "✓")} ${args.service}: revision ${to} restored as revision ${result.revision}`,
    );
  },
});
