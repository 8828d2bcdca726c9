// keystone validate -f FILE: offline, the Worker's own schemas.
import { defineCommand } from "citty";
import { loadConfigFile } from "../config-file.ts";
import { openSession } from "../session.ts";

export default defineCommand({
  meta: {
    name: "validate",
    description: "Check a config file offline, with the Worker's own schemas",
  },
  args: {
    file: { type: "string", alias: "f", required: true, description: "YAML or JSON config file" },
  },
  async run({ args }) {
    const { out } = openSession();
    const file = await loadConfigFile(args.file);
    out.result({ valid: true, services: file.services.map((s) => s.name) });
    out.line(
      `${out.paint("green", "✓")} ${args.file}: ${file.services.length} service(s) valid: ${file.services.map((s) => s.name).join(", ")}`,
    );
  },
});
