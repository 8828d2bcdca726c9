// keystone revert SERVICE --to N: a new revision equal to revision N.
import { defineCommand } from "../command.ts";
import { CliError, EXIT } from "../errors.ts";

export default defineCommand({
  description: "Restore an earlier revision (as a new revision)",
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
  examples: ["keystone revert shop --to 3 --reason 'bad release'"],
  async run(args, session) {
    const { out, api, author } = session;
    const to = Number(args.to);
    if (!Number.isInteger(to) || to < 1)
      throw new CliError(EXIT.usage, `--to takes a revision number, not "${args.to}"`);
    const result = await api.call("revertService", {
      params: { name: args.service },
      body: { to, author, reason: args.reason },
    });
    out.result(result);
    // The config serving already is revision N's: the Worker stores nothing, so no new revision.
    out.line(
      result.changed
        ? `${out.paint("green", "✓")} ${args.service}: revision ${to} restored as revision ${result.revision}`
        : `${out.paint("green", "✓")} ${args.service}: already serves revision ${to}'s config: nothing stored (revision ${result.revision}, unchanged)`,
    );
  },
});
