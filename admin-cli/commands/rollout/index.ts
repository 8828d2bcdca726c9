// keystone rollout …: progressive delivery from the terminal and from CI.
import { defineCommand } from "citty";
import { rolloutAction } from "./action.ts";
import explain from "./explain.ts";
import report from "./report.ts";
import start from "./start.ts";
import status from "./status.ts";
import wait from "./wait.ts";

export default defineCommand({
  meta: { name: "rollout", description: "Start, watch, gate and steer progressive rollouts" },
  subCommands: {
    start,
    status,
    promote: rolloutAction("promote"),
    pause: rolloutAction("pause"),
    resume: rolloutAction("resume"),
    abort: rolloutAction("abort"),
    wait,
    explain,
    report,
  },
});
