// keystone diff -f FILE [--exit-code]: what apply would do, per service in words (the Worker's
// own decision, not stored) and as a diff of the file against what was last applied.
import { defineCommand } from "citty";
import { loadConfigFile } from "../config-file.ts";
import { releaseArgs, withReleaseFlags } from "../file-release.ts";
import { exitCodeArg, exitWhenPending, planChanges, planJson, printPlan } from "../plan.ts";
import { envArg, environmentChoice, openSession } from "../session.ts";

export default defineCommand({
  meta: { name: "diff", description: "Show what apply would do, per service, in words" },
  args: {
    file: { type: "string", alias: "f", required: true, description: "YAML or JSON config file" },
    ...envArg,
    ...releaseArgs,
    now: { type: "boolean", description: "as apply --now would" },
    force: { type: "boolean", description: "as apply --force would" },
    ...exitCodeArg,
  },
  async run({ args }) {
    const session = openSession();
    const { out, api } = session;
    const loaded = await loadConfigFile(args.file, environmentChoice(args.env, session));
    const file = withReleaseFlags(loaded, args);
    const plan = await planChanges(api, file, args.file, { force: args.force, instant: args.now });
    printPlan(out, plan);
    out.result({ services: planJson(plan) });
    exitWhenPending(plan, args["exit-code"]);
  },
});
