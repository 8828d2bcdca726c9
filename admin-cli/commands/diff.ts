// keystone diff -f FILE: what apply would change, changing nothing.
import { defineCommand } from "citty";
import { loadConfigFile } from "../config-file.ts";
import { planChanges, planJson, printPlan } from "../plan.ts";
import { globalArgs, openSession } from "../session.ts";

export default defineCommand({
  meta: { name: "diff", description: "Show what apply would change" },
  args: {
    ...globalArgs,
    file: { type: "string", alias: "f", required: true, description: "YAML or JSON config file" },
  },
  async run({ args }) {
    const { out, api } = openSession(args);
    const plan = await planChanges(api, await loadConfigFile(args.file));
    printPlan(out, plan);
    out.result({ services: planJson(plan) });
  },
});
