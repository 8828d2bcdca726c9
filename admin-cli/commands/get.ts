// keystone get [SERVICE] [-o yaml|json]: services with what they serve (a table), or their config
// as it was applied (its spec), a file you can apply again.
import { stringify } from "yaml";
import { timeText } from "../../worker/core/rollout/event-words.ts";
import { defineCommand } from "../command.ts";
import { CliError, EXIT } from "../errors.ts";
import { table } from "../io.ts";

export default defineCommand({
  description: "Show services (a table), or their config with -o yaml|json",
  args: {
    service: { type: "positional", required: false, description: "one service (default: all)" },
    output: { type: "string", alias: "o", description: "yaml | json: print the config as a file" },
  },
  examples: ["keystone get", "keystone get shop -o yaml"],
  async run(args, session) {
    const { out, api } = session;
    if (args.output !== undefined && !["yaml", "json"].includes(args.output)) {
      throw new CliError(EXIT.usage, `-o takes yaml or json, not "${args.output}"`);
    }
    const answer = args.service
      ? await api.call("getService", { params: { name: args.service } })
      : await api.call("listServices", { query: {} });
    const records = "services" in answer ? answer.services : [answer];
    for (const warning of answer.warnings ?? []) out.note(`warning: ${warning}`);
    out.result(answer);
    if (out.json) return;
    // The file as applied, not what serves: which release serves is state Keystone keeps.
    const file = { services: records.map((r) => r.spec) };
    if (args.output === "yaml") return out.raw(stringify(file));
    if (args.output === "json") return out.raw(`${JSON.stringify(file, null, 2)}\n`);
    if (records.length === 0) return out.line("no services yet: keystone apply -f keystone.yaml");
    out.line(
      table(
        ["SERVICE", "REVISION", "HOSTS", "SPLIT", "RELEASES", "DESIRED", "UPDATED"],
        records.map((r) => [
          r.name,
          String(r.revision),
          r.config.hosts
            .map((h) => `${h}${r.config.pathPrefix === "/" ? "" : r.config.pathPrefix}`)
            .join(","),
          // What serves now (a rollout's step included), not the split of record.
          Object.entries(r.split ?? r.config.split)
            .map(([v, w]) => `${v}=${w}`)
            .join(" "),
          Object.entries(r.config.versions)
            .map(([v, version]) => `${v}=${version.release ?? "-"}`)
            .join(" "),
          r.spec.release?.name ?? "-",
          // The CLI's one time format (cli.md), as history and incident list print it.
          timeText(r.updatedAt),
        ]),
      ),
    );
  },
});
