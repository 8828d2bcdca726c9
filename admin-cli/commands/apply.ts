// keystone apply -f FILE [--dry-run [--exit-code]] [--wait]: shows what apply will do per service
// (the Worker's own decision, in words, and the diff of the file), then stores the file's changed
// services together: hosts moved or swapped between them land all or nothing, and a new release
// converges under each service's policy. --wait gates a pipeline on the verdicts it started.
import { defineCommand } from "../command.ts";
import { UsageError } from "../errors.ts";
import { fileArgs, fileToApply, releaseArgs } from "../file-release.ts";
import {
  exitCodeArg,
  exitWhenPending,
  planChanges,
  planJson,
  printPlan,
  refuseWhenRefused,
  requestBody,
} from "../plan.ts";
import { envArg, environmentChoice, expectedRevision } from "../session.ts";
import { waitAfterApply } from "../verdict-after-apply.ts";
import { checkWaitFlags, waitArgs } from "../wait-clock.ts";

export default defineCommand({
  description:
    "Store a config file's services; a new release rolls out under each service's policy",
  args: {
    ...fileArgs,
    ...envArg,
    ...releaseArgs,
    "dry-run": { type: "boolean", description: "show what apply would do, change nothing" },
    now: { type: "boolean", description: "switch to a new release at once, not by its policy" },
    force: {
      type: "boolean",
      description: "serve what the file says even when it is behind what serves (exit 8 without)",
    },
    reason: { type: "string", description: "why, recorded in history" },
    "if-revision": {
      type: "string",
      description: "apply only if the service is still at this revision (else exit 4)",
    },
    ...exitCodeArg,
    wait: {
      type: "boolean",
      description:
        "wait for the verdict of what the apply started (exit 0, 10, 11 as rollout wait)",
    },
    ...waitArgs,
    "promote-gates": {
      type: "boolean",
      description: "with --wait: pass each pause gate as it comes, for unattended CI",
    },
  },
  examples: [
    "keystone apply -f keystone.yaml",
    "keystone apply -f keystone.yaml --dry-run --exit-code",
    "keystone apply -f keystone.yaml --wait --timeout 30m",
    "keystone apply --service shop --release v2 --origin https://v2.shop.internal --wait",
  ],
  async run(args, session) {
    const { out, api, author } = session;
    if (args["exit-code"] && !args["dry-run"])
      throw new UsageError("--exit-code goes with --dry-run (apply itself always stores)");
    if (args.wait && args["dry-run"])
      throw new UsageError("--wait has nothing to wait for with --dry-run");
    if (args.wait) checkWaitFlags(args);
    const { file, source } = await fileToApply(api, args, environmentChoice(args.env, session));
    const convergence = { force: args.force, instant: args.now };
    const plan = await planChanges(api, file, source, convergence);
    printPlan(out, plan);
    if (args["dry-run"]) {
      out.result({ dryRun: true, services: planJson(plan) });
      out.line(out.paint("dim", "dry run: nothing stored"));
      return exitWhenPending(plan, args["exit-code"]);
    }
    refuseWhenRefused(plan);
    const changed = plan.filter((c) => c.changed);
    const body = requestBody(
      file,
      convergence,
      { author, reason: args.reason },
      changed.map((change) => ({
        config: change.next,
        baseRevision: expectedRevision(args["if-revision"]) ?? change.revision,
      })),
    );
    const applied =
      changed.length === 0
        ? { services: [], release: null }
        : await api.call("applyFile", { body });
    for (const result of applied.services) {
      const stored = result.plan?.revision === false ? [] : [`revision ${result.revision} stored`];
      const said = [...stored, ...(result.plan ? [result.plan.done] : [])].join(": ");
      out.line(`${out.paint("green", "✓")} ${result.name}: ${said}`);
    }
    if (applied.release)
      out.line(
        `${out.paint("green", "✓")} release ${applied.release.release.name} started (keystone release status ${applied.release.release.name})`,
      );
    if (changed.length === 0) out.line("nothing to apply");
    const result = {
      dryRun: false,
      services: planJson(plan),
      applied: applied.services,
      release: applied.release ?? null,
    };
    if (!args.wait) return out.result(result);
    await waitAfterApply(session, plan, applied, args, result);
  },
});
