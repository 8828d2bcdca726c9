// keystone get [SERVICE] [-o yaml|json]: the config of record, as a file you can apply again.
import { defineCommand } from "citty";
import { stringify } from "yaml";
import type { ServiceRecord } from "../../schemas/api.ts";
import { CliError, EXIT } from "../errors.ts";
import { table } from "../io.ts";
import { openSession } from "../session.ts";

export default defineCommand({
  meta: { name: "get", description: "Show services (a table), or their config with -o yaml|json" },
  args: {
    service: { type: "positional", required: false, description: "one service (default: all)" },
    output: { type: "string", alias: "o", description: "yaml | json: print the config as a file" },
  },
  async run({ args }) {
    const { out, api } = openSession();
    if (args.output !== undefined && !["yaml", "json"].includes(args.output)) {
      throw new CliError(EXIT.usage, `-o takes yaml or json, not "${args.output}"`);
    }
    const records = args.service
      ? [await api.get<ServiceRecord>(`/services/${encodeURIComponent(args.service)}`)]
      : (await api.get<{ services: ServiceRecord[] }>("/services")).services;
    out.result(args.service ? records[0] : { services: records });
    if (out.json) return;
    const file = { services: records.map((r) => r.config) };
    if (args.output === "yaml") return out.raw(stringify(file));
    if (args.output === "json") return out.raw(`${JSON.stringify(file, null, 2)}\n`);
    if (records.length === 0) return out.line("no services yet: keystone apply -f keystone.yaml");
    out.line(
      table(
        ["SERVICE", "REVISION", "HOSTS", "SPLIT", "UPDATED"],
        records.map((r) => [
          r.name,
          String(r.revision),
          r.config.hosts
            .map((h) => `${h}${r.config.pathPrefix === "/" ? "" : r.config.pathPrefix}`)
            .join(","),
          Object.entries(r.config.split)
            .map(([v, w]) => `${v}=${w}`)
            .join(" "),
          r.updatedAt,
        ]),
      ),
    );
  },
});
