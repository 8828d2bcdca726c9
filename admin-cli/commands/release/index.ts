// keystone release …: several services rolled out as one, with one verdict.
import { defineGroup, lazy } from "../../command.ts";

export default defineGroup({
  description: "Roll out several services as one: start, watch, wait for, abort",
  subcommands: {
    start: lazy(() => import("./start.ts")),
    status: lazy(() => import("./status.ts")),
    wait: lazy(() => import("./wait.ts")),
    abort: lazy(() => import("./abort.ts")),
  },
});
