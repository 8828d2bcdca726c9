// keystone apply -f FILE [--dry-run [--exit-code]]: shows the diff, then stores the file's
// changed services together: hosts moved or swapped between them land all or nothing.
import { defineCommand } from "citty";
import { FileApplyResult } from "../../schemas/api-responses.ts";
import { loadConfigFile } from "../config-file.ts";
import { UsageError } from "../errors.ts";
import { exitCodeArg, exitWhenPending, planChanges, planJson, printPlan } from "../plan.ts";
import { envArg, environmentChoice, expectedRevision, openSession } from "../session.ts";

export default defineCommand({
  meta: {
    name: "apply",
    description: "Store the services of a config file as new revisions (shows the diff)",
  },
  args: {
    file: { type: "string", alias: "f", required: true, description: "YAML or JSON config file" },
    ...envArg,
    "dry-run": { type: "boolean", description: "show the diff, change nothing" },
    reason: { type: "string", description: "why, recorded in history" },
    "if-revision": {
      type: "string",
      description: "apply only if the service is still at this revision (else exit 4)",
    },
    ...exitCodeArg,
  },
  async run({ args }) {
    const session = openSession();
    const { out, api, author } = session;
    if (args["exit-code"] && !args["dry-run"])
      throw new UsageError("--exit-code goes with --dry-run (apply itself always stores)");
    const file = await loadConfigFile(args.file, environmentChoice(args.env, session));
    const plan = await planChanges(api, file);
    printPlan(out, plan);
    if (args["dry-run"]) {
      out.result({ dryRun: true, services: planJson(plan) });
      out.line(out.paint("dim", "dry run: nothing stored"));
      return exitWhenPending(plan, args["exit-code"]);
    }
    const changed = plan.filter((c) => c.changed);
    const results =
      changed.length === 0
        ? []
        : (
            await api.request(FileApplyResult, "POST", "/apply", {
              services: changed.map((change) => ({
                config: change.next,
                baseRevision:
                  expectedRevision(args["if-revision"]) ?? change.current?.revision ?? 0,
              })),
              author,
              reason: args.reason,
            })
          ).services;
    for (const result of results)
      out.line(`${out.paint("green", "✓")} ${result.name}: revision ${result.revision} stored`);
    if (results.length === 0) out.line("nothing to apply");
    out.result({ dryRun: false, services: planJson(plan), applied: results });
  },
});
