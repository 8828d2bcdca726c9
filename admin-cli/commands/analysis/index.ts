// keystone analysis …: the rollout's own metrics.
import { defineGroup, lazy } from "../../command.ts";

export default defineGroup({
  description: "The rollout's own metrics (Prometheus, Datadog, web): try them before they gate",
  subcommands: { test: lazy(() => import("./test.ts")) },
});
