// keystone diff -f FILE [--exit-code]: what apply would do, per service in words (the Worker's
// own decision, not stored) and as a diff of the file against what was last applied.
import { defineCommand } from "../command.ts";
import { fileArgs, fileToApply, releaseArgs } from "../file-release.ts";
import { exitCodeArg, exitWhenPending, planChanges, planJson, printPlan } from "../plan.ts";
import { envArg, environmentChoice } from "../session.ts";

export default defineCommand({
  description: "Show what apply would do, per service, in words",
  args: {
    ...fileArgs,
    ...envArg,
    ...releaseArgs,
    now: { type: "boolean", description: "as apply --now would" },
    force: { type: "boolean", description: "as apply --force would" },
    ...exitCodeArg,
  },
  examples: [
    "keystone diff -f keystone.yaml",
    "keystone diff -f keystone.yaml --env production --exit-code",
  ],
  async run(args, session) {
    const { out, api } = session;
    const { file, source } = await fileToApply(api, args, environmentChoice(args.env, session));
    const plan = await planChanges(api, file, source, { force: args.force, instant: args.now });
    printPlan(out, plan);
    out.result({ services: planJson(plan) });
    exitWhenPending(plan, args["exit-code"]);
  },
});
