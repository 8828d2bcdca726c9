// keystone apply -f FILE [--dry-run [--exit-code]]: shows the diff, then stores new revisions.
import { defineCommand } from "citty";
import type { ChangeResult } from "../../schemas/api.ts";
import { loadConfigFile } from "../config-file.ts";
import { UsageError } from "../errors.ts";
import { exitCodeArg, exitWhenPending, planChanges, planJson, printPlan } from "../plan.ts";
import { expectedRevision, openSession } from "../session.ts";

export default defineCommand({
  meta: {
    name: "apply",
    description: "Store the services of a config file as new revisions (shows the diff)",
  },
  args: {
    file: { type: "string", alias: "f", required: true, description: "YAML or JSON config file" },
    "dry-run": { type: "boolean", description: "show the diff, change nothing" },
    reason: { type: "string", description: "why, recorded in history" },
    "if-revision": {
      type: "string",
      description: "apply only if the service is still at this revision (else exit 4)",
    },
    ...exitCodeArg,
  },
  async run({ args }) {
    const { out, api, author } = openSession();
    if (args["exit-code"] && !args["dry-run"])
      throw new UsageError("--exit-code goes with --dry-run (apply itself always stores)");
    const file = await loadConfigFile(args.file);
    const plan = await planChanges(api, file);
    printPlan(out, plan);
    if (args["dry-run"]) {
      out.result({ dryRun: true, services: planJson(plan) });
      out.line(out.paint("dim", "dry run: nothing stored"));
      return exitWhenPending(plan, args["exit-code"]);
    }
    const results: ChangeResult[] = [];
    // Existing services first, so a host moved from one of them to a new service is free in time.
    const ordered = plan
      .filter((c) => c.changed)
      .sort((a, b) => Number(a.current === null) - Number(b.current === null));
    for (const change of ordered) {
      const result = await api.request<ChangeResult>(
        "PUT",
        `/services/${encodeURIComponent(change.name)}`,
        {
          config: change.next,
          baseRevision: expectedRevision(args["if-revision"]) ?? change.current?.revision ?? 0,
          author,
          reason: args.reason,
        },
      );
      results.push(result);
      out.line(`${out.paint("green", "✓")} ${change.name}: revision ${result.revision} stored`);
    }
    if (results.length === 0) out.line("nothing to apply");
    out.result({ dryRun: false, services: planJson(plan), applied: results });
  },
});
