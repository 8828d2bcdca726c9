// keystone weights SERVICE stable=90 canary=10: a new revision with the new split.
import { defineCommand } from "citty";
import { ChangeResult, ServiceRecord } from "../../schemas/api-responses.ts";
import { problemsOf } from "../../schemas/problems.ts";
import { Split } from "../../schemas/split.ts";
import { CliError, EXIT } from "../errors.ts";
import { expectedRevision, openSession } from "../session.ts";

export function parseWeights(pairs: string[]): Record<string, number> {
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
  meta: {
    name: "weights",
    description: "Set a service's split: keystone weights shop stable=90 canary=10",
  },
  args: {
    service: { type: "positional", required: true, description: "service name" },
    reason: { type: "string", description: "why, recorded in history" },
    "if-revision": {
      type: "string",
      description: "change only if the service is still at this revision (else exit 4)",
    },
  },
  async run({ args }) {
    const { out, api, author } = openSession();
    const split = parseWeights(args._.slice(1).map(String));
    const path = `/services/${encodeURIComponent(args.service)}`;
    const current = await api.get(ServiceRecord, path);
    const result = await api.request(ChangeResult, "POST", `${path}/weights`, {
      split,
      baseRevision: expectedRevision(args["if-revision"]) ?? current.revision,
      author,
      reason: args.reason,
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
