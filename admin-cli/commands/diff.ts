// keystone diff -f FILE [--exit-code]: what apply would change, changing nothing.
import { defineCommand } from "citty";
import { loadConfigFile } from "../config-file.ts";
import { exitCodeArg, exitWhenPending, planChanges, planJson, printPlan } from "../plan.ts";
import { openSession } from "../session.ts";

export default defineCommand({
  meta: { name: "diff", description: "Show what apply would change" },
  args: {
    file: { type: "string", alias: "f", required: true, description: "YAML or JSON config file" },
    ...exitCodeArg,
  },
  async run({ args }) {
    const { out, api } = openSession();
    const plan = await planChanges(api, await loadConfigFile(args.file));
    printPlan(out, plan);
    out.result({ services: planJson(plan) });
    exitWhenPending(plan, args["exit-code"]);
  },
});
