// keystone validate -f FILE [--env NAME]: offline, the Worker's own schemas; every environment's
// overlay is checked too, and --env (or the context's) says which one the answer lists. A valid
// file may still get warnings: a rollout step that can never count a request, a counted rule
// any client can match.
import { defineCommand } from "../command.ts";
import { loadCheckedConfigFile } from "../config-file.ts";
import { envArg, environmentChoice } from "../session.ts";

/** Names a person reads on one line; --json lists them all. */
const SHOWN_NAMES = 10;

/** `a, b, c`, or the first few and how many more: a file of 20,000 services is one short line. */
function namesText(names: string[]): string {
  if (names.length <= SHOWN_NAMES) return names.join(", ");
  const more = names.length - SHOWN_NAMES;
  return `${names.slice(0, SHOWN_NAMES).join(", ")} and ${more} more (--json lists every name)`;
}

export default defineCommand({
  description: "Check a config file offline, with the Worker's own schemas",
  args: {
    file: { type: "string", alias: "f", required: true, description: "YAML or JSON config file" },
    ...envArg,
  },
  examples: [
    "keystone validate -f keystone.yaml",
    "keystone validate -f keystone.yaml --env staging",
  ],
  async run(args, session) {
    const { out } = session;
    const environment = environmentChoice(args.env, session);
    const { data: file, warnings } = await loadCheckedConfigFile(args.file, environment);
    const names = file.services.map((s) => s.name);
    const environments = Object.keys(file.environments ?? {});
    out.result({
      valid: true,
      services: names,
      environment: environment?.name ?? null,
      environments,
      warnings,
    });
    // Valid, and applied as it is: advice on stderr, so a pipeline reading stdout is unaffected.
    for (const w of warnings) {
      const where = [args.file, w.line, w.column].filter((x) => x != null).join(":");
      out.note(`warning: ${where}: ${w.path}: ${w.message}`);
    }
    const as = environment ? ` as ${environment.name} sees it` : "";
    out.line(
      `${out.paint("green", "✓")} ${args.file}: ${names.length} service(s) valid${as}: ${namesText(names)}`,
    );
    if (environments.length) out.line(`  environments checked: ${environments.join(", ")}`);
  },
});
