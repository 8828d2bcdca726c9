// keystone context …: named admin APIs (URL + the env var holding the token) for --context.
import { defineGroup, lazy } from "../../command.ts";

export default defineGroup({
  description: "Named environments: an admin API URL and the env var that holds its token",
  subcommands: {
    add: lazy(() => import("./add.ts")),
    use: () => import("./select.ts").then((m) => m.use),
    list: lazy(() => import("./list.ts")),
    remove: () => import("./select.ts").then((m) => m.remove),
  },
});
