// keystone weights SERVICE stable=90 canary=10: a new revision with the new split.
import { problemsOf } from "../../schemas/problems.ts";
import { Split } from "../../schemas/split.ts";
import { defineCommand } from "../command.ts";
import { CliError, EXIT } from "../errors.ts";
import { expectedRevision } from "../session.ts";

function parseWeights(pairs: string[]): Record<string, number> {
  if (pairs.length === 0)
    throw new CliError(EXIT.usage, "give weights as version=percent, e.g. stable=90 canary=10");
  const split: Record<string, number> = {};
  for (const pair of pairs) {
    const match = /^([a-z0-9][a-z0-9-]*)=(\d+(?:\.\d+)?)%?$/.exec(pair);
    if (!match) throw new CliError(EXIT.usage, `"${pair}" is not version=percent (e.g. canary=10)`);
    if (match[1]! in split)
      throw new CliError(
        EXIT.usage,
        `version "${match[1]}" is given twice: give each version once`,
      );
    split[match[1]!] = Number(match[2]);
  }
  // The Worker's own split rules, checked before anything is sent: the error names the weights.
  const checked = Split.safeParse(split);
  if (!checked.success) {
    const problems = problemsOf(checked.error).map((p) =>
      p.path === "(root)" ? p.message : `${p.path}=${split[p.path]}: ${p.message}`,
    );
    throw new CliError(EXIT.invalidConfig, `${problems.join("; ")} (${pairs.join(" ")})`);
  }
  return split;
}

export default defineCommand({
  description: "Set a service's split: keystone weights shop stable=90 canary=10",
  args: {
    service: { type: "positional", required: true, description: "service name" },
    split: {
      type: "positional",
      required: false,
      variadic: true,
      description: "version=percent for each version (stable=90 canary=10)",
    },
    reason: { type: "string", description: "why, recorded in history" },
    "if-revision": {
      type: "string",
      description: "change only if the service is still at this revision (else exit 4)",
    },
  },
  examples: [
    "keystone weights shop stable=90 canary=10",
    "keystone weights shop stable=100 canary=0 --reason 'back off' --if-revision 7",
  ],
  async run(args, session) {
    const { out, api, author } = session;
    const split = parseWeights(args.split);
    const result = await api.call("setWeights", {
      params: { name: args.service },
      body: {
        split,
        baseRevision: expectedRevision(args["if-revision"]),
        author,
        reason: args.reason,
      },
    });
    out.result({ ...result, split });
    const text = Object.entries(split)
      .map(([v, w]) => `${v} ${w}%`)
      .join(", ");
    out.line(
      `${out.paint("green", "✓")} ${args.service}: ${text} (revision ${result.revision}${result.changed ? "" : ", unchanged"})`,
    );
  },
});
