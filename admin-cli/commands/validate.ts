// keystone validate -f FILE [--env NAME]: offline, the Worker's own schemas; every environment's
// overlay is checked too, and --env (or the context's) says which one the answer lists.
import { defineCommand } from "citty";
import { loadConfigFile } from "../config-file.ts";
import { envArg, environmentChoice, openSession } from "../session.ts";

export default defineCommand({
  meta: {
    name: "validate",
    description: "Check a config file offline, with the Worker's own schemas",
  },
  args: {
    file: { type: "string", alias: "f", required: true, description: "YAML or JSON config file" },
    ...envArg,
  },
  async run({ args }) {
    const session = openSession();
    const { out } = session;
    const environment = environmentChoice(args.env, session);
    const file = await loadConfigFile(args.file, environment);
    const names = file.services.map((s) => s.name);
    const environments = Object.keys(file.environments ?? {});
    out.result({
      valid: true,
      services: names,
      environment: environment?.name ?? null,
      environments,
    });
    const as = environment ? ` as ${environment.name} sees it` : "";
    out.line(
      `${out.paint("green", "✓")} ${args.file}: ${names.length} service(s) valid${as}: ${names.join(", ")}`,
    );
    if (environments.length) out.line(`  environments checked: ${environments.join(", ")}`);
  },
});
