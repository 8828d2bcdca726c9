// keystone diff -f FILE [--exit-code]: what apply would change, changing nothing.
import { defineCommand } from "citty";
import { loadConfigFile } from "../config-file.ts";
import { exitCodeArg, exitWhenPending, planChanges, planJson, printPlan } from "../plan.ts";
import { envArg, environmentChoice, openSession } from "../session.ts";

export default defineCommand({
  meta: { name: "diff", description: "Show what apply would change" },
  args: {
    file: { type: "string", alias: "f", required: true, description: "YAML or JSON config file" },
    ...envArg,
    ...exitCodeArg,
  },
  async run({ args }) {
    const session = openSession();
    const { out, api } = session;
    const plan = await planChanges(
      api,
      await loadConfigFile(args.file, environmentChoice(args.env, session)),
    );
    printPlan(out, plan);
    out.result({ services: planJson(plan) });
    exitWhenPending(plan, args["exit-code"]);
  },
});
