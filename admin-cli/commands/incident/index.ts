// keystone incident …: rolled-back and aborted rollouts, each with its timeline.
import { defineGroup, lazy } from "../../command.ts";

export default defineGroup({
  description: "Rollbacks and aborts: list them, show one as Markdown",
  subcommands: {
    list: lazy(() => import("./list.ts")),
    show: lazy(() => import("./show.ts")),
  },
});
