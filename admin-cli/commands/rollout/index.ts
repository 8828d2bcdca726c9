// keystone rollout …: progressive delivery from the terminal and from CI.
import { defineGroup, lazy } from "../../command.ts";

export default defineGroup({
  description: "Start, watch, gate and steer progressive rollouts",
  subcommands: {
    start: lazy(() => import("./start.ts")),
    status: lazy(() => import("./status.ts")),
    promote: () => import("./action.ts").then((m) => m.rolloutAction("promote")),
    pause: () => import("./action.ts").then((m) => m.rolloutAction("pause")),
    resume: () => import("./action.ts").then((m) => m.rolloutAction("resume")),
    abort: () => import("./action.ts").then((m) => m.rolloutAction("abort")),
    wait: lazy(() => import("./wait.ts")),
    explain: lazy(() => import("./explain.ts")),
    report: lazy(() => import("./report.ts")),
  },
});
